"""Custom scalars of the SDK's documents. ``DateTime`` goes out in our stored form (``...%S.%fZ``, which the SDK
parses, trap 5) and comes in as ``%Y-%m-%dT%H:%M:%SZ``, normalised to the stored form so text comparison orders
correctly. ``Json`` passes any JSON value through; ``PageSize`` is an Int; ``UInt64`` arrives as a string."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ariadne import ScalarType, upload_scalar
from graphql import GraphQLError

datetime_scalar = ScalarType("DateTime")
json_scalar = ScalarType("Json")
page_size_scalar = ScalarType("PageSize")
uint64_scalar = ScalarType("UInt64")


@datetime_scalar.value_parser
def parse_datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError("DateTime values are ISO-8601 strings.")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"'{value}' is not an ISO-8601 date-time.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@datetime_scalar.serializer
def serialize_datetime(value: Any) -> str:
    return value if isinstance(value, str) else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@page_size_scalar.value_parser
def parse_page_size(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise GraphQLError("PageSize is a non-negative integer.")
    return value


@uint64_scalar.value_parser
def parse_uint64(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise GraphQLError("UInt64 is a non-negative integer (or its decimal string).") from None
    if number < 0 or number >= 2**64:
        raise GraphQLError("UInt64 is out of range.")
    return number


@uint64_scalar.serializer
def serialize_uint64(value: Any) -> str:
    return str(value)


SCALARS = [datetime_scalar, json_scalar, page_size_scalar, uint64_scalar, upload_scalar]
