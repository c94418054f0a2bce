"""Asset records, allowed file types, and the checks an upload must pass."""

from __future__ import annotations

import posixpath
import uuid
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from ..db import Account, Asset
from ..db.sql import run
from ..db.transaction import write_transaction
from ..errors import Invalid, UnsupportedMediaType
from ..settings import Settings
from ..storage import ObjectStore
from ..timeutil import now_iso

# Extension -> (content type, magic-number check or None). Images are sniffed so a ".png" really is an image.
ALLOWED: dict[str, tuple[str, Any]] = {
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".gif": ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".bmp": ("image/bmp", lambda h: h.startswith(b"BM")),
    ".webp": ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".tif": ("image/tiff", lambda h: h[:4] in (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", lambda h: h[:4] in (b"II*\x00", b"MM\x00*")),
    ".pcd": ("application/octet-stream", None),
    ".ply": ("application/octet-stream", lambda h: h.startswith(b"ply")),
    ".bin": ("application/octet-stream", None),
    ".las": ("application/octet-stream", lambda h: h.startswith(b"LASF")),
    ".laz": ("application/octet-stream", lambda h: h.startswith(b"LASF")),
    ".npy": ("application/octet-stream", lambda h: h.startswith(b"\x93NUMPY")),
    ".json": ("application/json", lambda h: h.lstrip()[:1] in (b"{", b"[")),
    ".txt": ("text/plain", None),
    ".mp4": ("video/mp4", None),
}


def allowed_type(filename: str) -> tuple[str, str]:
    """(extension, content type) for an upload named ``filename``, or a 415 naming what is allowed."""
    ext = posixpath.splitext(filename)[1].lower()
    if ext not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        shown = f"'{ext}'" if ext else "no extension"
        raise UnsupportedMediaType(f"filename: file type {shown} is not allowed; allowed types: {allowed}.",
                                   field="filename")
    return ext, ALLOWED[ext][0]


def content_matches(key: str, head: bytes) -> bool:
    check = ALLOWED.get(posixpath.splitext(key)[1].lower(), (None, None))[1]
    return check is None or bool(check(head))


def create_asset(session: Session, user: Account, body: Any, store: ObjectStore, settings: Settings) -> dict:
    if not isinstance(body, dict):
        raise Invalid("Request body must be a JSON object with 'filename'.", field="body")
    filename = body.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        raise Invalid("filename: a non-empty string is required.", field="filename")
    if len(filename) > 1024:
        raise Invalid("filename: at most 1024 characters.", field="filename")
    ext, content_type = allowed_type(filename)
    asset_uuid = str(uuid.uuid4())
    key = f"assets/{user.username}/{asset_uuid}{ext}"
    post = store.presigned_post(key, content_type, settings.max_upload_bytes)
    asset = Asset(uuid=asset_uuid, owner_id=user.id, filename=filename, key=key, content_type=content_type,
                  url=store.public_url(key), upload_token=post.fields["x-amz-signature"][:64],
                  created_at=now_iso())
    with write_transaction(session):
        session.add(asset)
    return {"uuid": asset.uuid, "filename": asset.filename, "url": asset.url, "created_at": asset.created_at,
            "presignedPostFields": {"url": post.url, "fields": post.fields}}


def file_size(fh: BinaryIO) -> int:
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(0)
    return size


def mark_uploaded(session: Session, key: str, size: int) -> None:
    with write_transaction(session):
        run(session, "UPDATE assets SET uploaded_at = ?, size = ? WHERE key = ?", (now_iso(), size, key))
