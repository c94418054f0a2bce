"""Declarative base, naming convention (so constraint names are stable across databases) and JSON text type."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import MetaData, Text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class JSONText(TypeDecorator):
    """JSON stored as compact text, identical on SQLite and PostgreSQL.

    Stored verbatim so user documents (label attributes, metadata) round-trip byte for byte; hot paths read the
    raw text column and splice it into responses without decoding (``orjson.Fragment``).
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray)):
            return value.decode()
        if isinstance(value, str):
            return value
        return orjson.dumps(value).decode()

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return orjson.loads(value)
