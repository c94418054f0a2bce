"""Stored files are served with ``X-Content-Type-Options: nosniff`` (a browser must not run an uploaded "image" as
HTML), and the SQLite database file is created readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from support import live_server, unique

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_files_are_served_with_nosniff(app):
    _, key = app.create_user(unique("u"))
    with app.client(key) as http:
        asset = http.post("/assets/", json={"filename": "a.png"}).json()
    post = asset["presignedPostFields"]
    with app.client() as anyone:  # the signed upload form and the stored file's URL: no key
        r = anyone.post(post["url"], data=post["fields"], files={"file": ("a.png", PNG, "image/png")})
        assert r.status_code == 204, r.text
        got = anyone.get(asset["url"])
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"] == "image/png"


def test_sqlite_file_is_private(tmp_path):
    with live_server("sqlite", tmp_path) as srv:
        srv.create_user(unique("u"))
        path = Path(srv.database_url[len("sqlite:///"):])
        modes = {p.name: stat.S_IMODE(os.stat(p).st_mode) for p in path.parent.glob(path.name + "*")}
    assert modes[path.name] == 0o600, modes
    assert all(mode == 0o600 for mode in modes.values()), modes  # -wal, -shm alike
