"""The published contract every route shares: the error body, which error statuses a route documents, and the
clean-up of what FastAPI would otherwise publish but the server never sends (a 422 ``HTTPValidationError``: request
validation errors are answered 400 with the error body below, see ``errors.install_error_handlers``).

Routes declare their success model for the OpenAPI description only: most of them render their JSON with orjson
(stored JSON documents are spliced in undecoded), so FastAPI never re-validates what they return. The tests check
the other direction instead: every real response is validated against the published description
(tests/server/api/test_contract.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    field: str = Field(description="Where, e.g. `attributes.annotations[2].category_id`")
    message: str | None = Field(default=None, description="What was wrong there")


class ErrorBody(BaseModel):
    """Every error answer, whatever the status."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What was wrong, for people (the official SDK also classifies these texts)")
    code: str = Field(description="Stable machine-readable code: invalid, not_found, already_exists, "
                                  "not_authenticated, invalid_api_key, permission_denied, conflict, "
                                  "payload_too_large, unsupported_media_type, ...")
    field: str | None = Field(default=None, description="The request field at fault, when there is one")
    request_id: str | None = Field(default=None, description="Also sent as the X-Request-ID header")
    errors: list[FieldError] | None = Field(default=None, description="Every problem found (request validation)")


ERROR_DESCRIPTIONS = {
    400: "Invalid request: a field (named by `field`) fails validation, or the object already exists",
    401: "No API key, or an invalid one",
    403: "The caller may see the object but lacks the role for this action",
    404: "Not found, or not visible to the caller (answered exactly alike)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported content type",
    429: "Too many requests: wait `Retry-After` seconds",
    503: "Busy (a database lock was not granted in time): retry after `Retry-After` seconds",
}

# What every authenticated route can answer: bad input, no/invalid key, an unknown path object; writes also a
# missing role (403) and a body too large (413).
COMMON_ERRORS = (400, 401, 404)
WRITE_ERRORS = (400, 401, 403, 404, 413)


def responses(status_code: int, model: Any, errors: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: its success model under its status, and the shared error body under each
    error status it can answer."""
    out: dict[int | str, dict[str, Any]] = {}
    if model is not None:
        out[status_code] = {"model": model}
    for code in sorted(set(errors)):
        out[code] = {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]}
    return out


# The attribute of an APIRoute made by ``http.route`` that holds its response models (status -> model): they are not
# in the route's ``responses`` (FastAPI would build a TypeAdapter of each for every route at start-up), and are
# handed to FastAPI by ``document_models`` when the OpenAPI description is made.
DOCUMENTED_MODELS = "labelhouse_documented_models"


def document_models(routes: Any) -> None:
    """Give FastAPI the response models of the routes made by ``http.route``, as if they had been declared in
    ``responses=`` (the same fields, by the same names): called before the OpenAPI description is generated.
    Idempotent."""
    from fastapi.routing import iter_route_contexts
    from fastapi.utils import create_model_field

    for context in iter_route_contexts(routes):
        models = getattr(context.original_route, DOCUMENTED_MODELS, None)
        if not models:
            continue
        fields = context.response_fields  # the effective route's own dict (an included route's, or the route's)
        for code, model in models.items():
            if code not in fields:
                fields[code] = create_model_field(name=f"Response_{code}_{context.unique_id}", type_=model,
                                                  mode="serialization")


def drop_unsent_validation_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Remove FastAPI's automatic 422 responses and their schemas: this server answers 400 with ``ErrorBody``."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec
