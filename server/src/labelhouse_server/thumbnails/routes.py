"""``GET /samples/{uuid}/thumbnail``: a small JPEG of the sample's image (read permission, like the sample)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from ..access import SampleRead
from ..contract import responses
from ..errors import NotFound
from ..routing import Routes
from . import service

router = Routes(tags=["samples"])


@router.get("/samples/{sample_uuid}/thumbnail", summary="Thumbnail of a sample's image (JPEG, cached)",
            response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}}, 307: {"description": "The image is not in our store"},
                       **responses(200, None, (401, 404))})
def get_thumbnail(sacc: SampleRead, request: Request) -> Response:
    url = service.image_url(sacc.sample.attributes)
    if url is None:
        raise NotFound("This sample has no image.")
    store = request.app.state.store
    key = service.store_key_of(store, url)
    if key is None:
        return RedirectResponse(url, status_code=307)
    data = service.thumbnail(store, key)
    if data is None:
        raise NotFound("The sample's image could not be read.")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})
