"""Serving the built web app (``webapp/static/``, produced by ``npm run build`` in ``web/`` and committed, so a
plain ``pip install`` serves it without Node).

``/app/<file>`` serves the file; any other ``/app/...`` path answers ``index.html`` so deep links and reloads work.
``index.html`` is ``no-cache`` (a new build is picked up at once); the hashed files under ``assets/`` never change,
so browsers keep them for a year."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, RedirectResponse, Response

from ..routing import Routes

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = Routes(include_in_schema=False)


@router.get("/")
def root() -> Response:
    return RedirectResponse("/app/", status_code=307)


@router.get("/app")
def app_root() -> Response:
    return RedirectResponse("/app/", status_code=307)


@router.get("/app/{path:path}")
def app_page(path: str) -> Response:
    if path and ".." not in path.split("/"):
        candidate = (STATIC_DIR / path).resolve()
        if candidate.is_file() and STATIC_DIR in candidate.parents and candidate.name != "index.html":
            cache = ("public, max-age=31536000, immutable" if path.startswith("assets/")
                     else "public, max-age=3600")
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if path.startswith("assets/"):
            return Response("Not found", status_code=404, media_type="text/plain")
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        return Response("The web app is not built: run `npm ci && npm run build` in web/.", status_code=503,
                        media_type="text/plain")
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
