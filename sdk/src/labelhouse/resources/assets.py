from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, Any

from .._base import Call
from ..models import File
from ._common import ClientPrimitives, model


def asset_call(filename: str) -> Call[File]:
    return Call("POST", "/assets/", body={"filename": filename}, parse=model(File))


def upload_call(asset: File, content: bytes, filename: str) -> Call[None]:
    """The second step: the multipart POST to the presigned target (no API key; it carries its own policy)."""
    assert asset.presigned_post_fields is not None
    fields = dict(asset.presigned_post_fields.fields)
    return Call("POST", asset.presigned_post_fields.url, form=fields, files={"file": (filename, content)},
                auth=False, idempotent=True)


def read_file(file: IO[Any] | bytes | str | os.PathLike[str], filename: str) -> tuple[bytes, str]:
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as f:
            return f.read(), filename
    if isinstance(file, (bytes, bytearray)):
        return bytes(file), filename
    data = file.read()
    if isinstance(data, str):
        data = data.encode()
    return data, filename


class AssetsMixin(ClientPrimitives):
    def upload_asset(self, file: IO[Any] | bytes | str | os.PathLike[str], filename: str = "label.png") -> File:
        """Upload a file (file object, bytes or path) and return the asset; use ``asset.url`` in attributes.

        >>> with open("violet.jpg", "rb") as f: asset = client.upload_asset(f, "violet.jpg")
        >>> client.add_sample("jane/flowers", "violet.jpg", {"image": {"url": asset.url}})
        """
        return self._upload(file, filename)

    def upload_assets(self, files: Iterable[str | os.PathLike[str] | tuple[Any, str]], progress: bool = False
                      ) -> list[File]:
        """Upload many files (paths, or ``(file_or_bytes, filename)`` pairs) with an optional progress bar;
        returns the assets in the same order. The async client uploads several at a time.

        >>> assets = client.upload_assets(sorted(Path("photos").glob("*.jpg")), progress=True)
        >>> client.add_samples("jane/flowers", [{"name": Path(a.filename).name,
        ...                                       "attributes": {"image": {"url": a.url}}} for a in assets])
        """
        items = [f if isinstance(f, tuple) else (f, os.path.basename(os.fspath(f))) for f in files]
        return self._upload_many(items, progress)
