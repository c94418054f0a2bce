"""Object storage behind one interface (``ObjectStore``): a local folder (embedded default, served by this
server at public URLs) or any S3-compatible store (MinIO, AWS, moto). ``make_store(settings)`` picks one."""

from .base import ObjectStore, PresignedPost, StoreError, content_type_for, validate_key
from .factory import make_store

__all__ = ["ObjectStore", "PresignedPost", "StoreError", "content_type_for", "make_store", "validate_key"]
