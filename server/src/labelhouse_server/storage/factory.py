"""Build the configured store from Settings."""

from __future__ import annotations

from ..settings import Settings
from .base import ObjectStore, StoreError


def make_store(settings: Settings) -> ObjectStore:
    backend = settings.storage_backend
    if backend == "local":
        from .local import LocalStore

        return LocalStore(settings.data_dir / "objects", settings.public_url,
                          settings.data_dir / "upload-secret.key")
    if backend == "s3":
        from .s3 import S3Store

        return S3Store(bucket=settings.s3_bucket, endpoint_url=settings.s3_endpoint_url,
                       region=settings.s3_region, access_key_id=settings.s3_access_key_id,
                       secret_access_key=(settings.s3_secret_access_key.get_secret_value()
                                          if settings.s3_secret_access_key else None),
                       public_url=settings.s3_public_url)
    raise StoreError(f"unknown storage_backend {settings.storage_backend!r}; use 'local' or 's3'")
