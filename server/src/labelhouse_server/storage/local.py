"""Local-folder store (the embedded default): objects are files under ``<data_dir>/objects``, served by this
server at ``<public_url>/files/<key>``; uploads go to this server's ``POST /uploads/``, authorised by an HMAC
signed policy (the same presigned-POST handshake S3 uses, so the official SDK cannot tell the difference)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .base import PresignedPost, Source, StoreError, iter_chunks, validate_key

ALGORITHM = "LH-HMAC-SHA256"


def _load_secret(path: Path) -> bytes:
    """A per-installation signing secret, created once (race-free across processes) and kept in data_dir."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            data = path.read_bytes().strip()
            if data:
                return data
            time.sleep(0.01)  # another process is writing it right now
        raise StoreError(f"upload secret {path} is empty") from None
    secret = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


class LocalStore:
    def __init__(self, root: Path, public_base_url: str, secret_path: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.base_url = public_base_url.rstrip("/")
        self._secret = _load_secret(secret_path)

    # --- objects ---------------------------------------------------------------------------------------
    def path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put(self, key: str, source: Source, content_type: str | None = None) -> int:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, (str, Path)):
            linked = self._put_by_link(Path(source), target)
            if linked is not None:
                return linked
        # Write beside the target, then rename: readers never see a partial file, and a crash leaves only a
        # dot-file that no URL points at.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in iter_chunks(source):
                    fh.write(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return size

    def _put_by_link(self, source: Path, target: Path) -> int | None:
        """A file on the same file system (e.g. a release built under data_dir/tmp) is linked in, not copied;
        the caller's copy stays its own. None when linking is not possible (other device, no hard links)."""
        tmp = target.parent / f".link-{secrets.token_hex(8)}.part"
        try:
            with open(source, "rb") as fh:
                os.fsync(fh.fileno())
            os.link(source, tmp)
        except OSError:
            return None
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return target.stat().st_size

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError:
            raise StoreError(f"object {key!r} does not exist") from None

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass

    def public_url(self, key: str) -> str:
        return f"{self.base_url}/files/{validate_key(key)}"

    # --- browser uploads ---------------------------------------------------------------------------------
    def _sign(self, policy: str) -> str:
        return hmac.new(self._secret, policy.encode(), hashlib.sha256).hexdigest()

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 3600) -> PresignedPost:
        validate_key(key)
        now = datetime.now(timezone.utc)
        policy_doc = {"key": key, "content_type": content_type, "max_bytes": int(max_bytes),
                      "expires": int(now.timestamp()) + int(expires_in)}
        policy = base64.urlsafe_b64encode(orjson.dumps(policy_doc)).decode()
        fields = {
            "acl": "public-read",
            "Content-Type": content_type,
            "key": key,
            "x-amz-algorithm": ALGORITHM,
            "x-amz-credential": f"labelhouse/{now:%Y%m%d}/local/upload",
            "x-amz-date": f"{now:%Y%m%dT%H%M%SZ}",
            "policy": policy,
            "x-amz-signature": self._sign(policy),
        }
        return PresignedPost(url=f"{self.base_url}/uploads/", fields=fields)

    def verify_post(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Check a posted form against the policy we signed; returns the policy. Raises StoreError(reason)."""
        policy = fields.get("policy")
        signature = fields.get("x-amz-signature")
        if not isinstance(policy, str) or not isinstance(signature, str):
            raise StoreError("the upload form lacks the signed 'policy' and 'x-amz-signature' fields")
        if not hmac.compare_digest(self._sign(policy), signature):
            raise StoreError("the upload signature does not match its policy")
        try:
            doc = orjson.loads(base64.urlsafe_b64decode(policy.encode()))
        except (ValueError, orjson.JSONDecodeError):
            raise StoreError("the upload policy is malformed") from None
        if doc["expires"] < time.time():
            raise StoreError("the upload policy has expired; request a new one from POST /assets/")
        if fields.get("key") != doc["key"]:
            raise StoreError("the upload 'key' does not match the signed policy")
        return doc
