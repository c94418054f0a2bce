"""Data-row metadata: the organization's schemas (reserved + custom) and the values on data rows (§2.5).

Schema and option ids are public ids (25 characters, checked by the SDK's pydantic models). Reserved schemas have
fixed ids and no rows. Values are stored per (data row, schema id); an enum's value is the chosen option's id.
Values are validated here, for both the bulk metadata calls and data-row upserts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import DataRowMetadata, MetadataOption, MetadataSchema
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Invalid, NotFound
from ..labelbox import ids
from ..timeutil import now_iso
from .orgs import OrgScope

STRING = "CustomMetadataString"
NUMBER = "CustomMetadataNumber"
DATETIME = "CustomMetadataDateTime"
ENUM = "CustomMetadataEnum"
OPTION = "CustomMetadataEnumOption"
EMBEDDING = "CustomMetadataEmbedding"
KINDS = (STRING, NUMBER, DATETIME, ENUM, EMBEDDING)
MAX_NAME = 100
MAX_STRING = 4096
MAX_EMBEDDING = 4096


@dataclass
class Option:
    id: str
    name: str
    reserved: bool
    parent: str
    pk: int | None = None


@dataclass
class Schema:
    id: str
    name: str
    kind: str
    reserved: bool
    options: list[Option] = field(default_factory=list)
    pk: int | None = None


def _reserved() -> list[Schema]:
    def schema(name: str, kind: str, options: tuple[str, ...] = ()) -> Schema:
        sid = ids.fixed("metadata_schema", name)
        return Schema(sid, name, kind, True,
                      [Option(ids.fixed("metadata_option", f"{name}:{o}"), o, True, sid) for o in options])

    return [schema("tag", STRING), schema("split", ENUM, ("train", "valid", "test")),
            schema("captureDateTime", DATETIME), schema("skipNFrames", NUMBER)]


RESERVED = _reserved()
RESERVED_NAMES = {s.name for s in RESERVED}


class Ontology:
    """The schemas one organization sees, indexed by id (options included) and name."""

    def __init__(self, schemas: list[Schema]) -> None:
        self.schemas = schemas
        self.by_id: dict[str, Schema] = {s.id: s for s in schemas}
        self.option_by_id: dict[str, Option] = {o.id: o for s in schemas for o in s.options}
        self.by_name = {s.name: s for s in schemas}


def ontology(session: Session, scope: OrgScope) -> Ontology:
    return org_ontology(session, scope.org.id)


def org_ontology(session: Session, org_id: int) -> Ontology:
    """The metadata schemas (reserved and custom) of organization ``org_id``."""
    custom = list(session.scalars(select(MetadataSchema).where(MetadataSchema.org_id == org_id)
                                  .order_by(MetadataSchema.id)))
    options: dict[int, list[MetadataOption]] = {}
    if custom:
        for option in session.scalars(select(MetadataOption).where(
                MetadataOption.schema_id.in_([s.id for s in custom])).order_by(MetadataOption.id)):
            options.setdefault(option.schema_id, []).append(option)
    schemas = list(RESERVED)
    for row in custom:
        sid = ids.encode("metadata_schema", row.id)
        schemas.append(Schema(sid, row.name, row.kind, False,
                              [Option(ids.encode("metadata_option", o.id), o.name, False, sid, o.id)
                               for o in options.get(row.id, [])], row.id))
    return Ontology(schemas)


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid(f"{what} name must be a non-empty string.")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Invalid(f"{what} name is longer than {MAX_NAME} characters.")
    return name


def upsert_schema(session: Session, scope: OrgScope, data: dict[str, Any]) -> Schema:
    """Create (no ``id``) or rename/update (``id``) a custom schema; enum options by id (rename) or new."""
    name = _check_name(data.get("name"), "Metadata schema")
    kind = data.get("kind")
    target: Schema | None = None
    if data.get("id") is not None:
        target = ontology(session, scope).by_id.get(data["id"])
        if target is None or target.reserved:
            raise NotFound(f"Metadata schema {data['id']} not found.")
        if kind is not None and kind != target.kind:
            raise Invalid(f"The kind of metadata schema '{target.name}' cannot change ({target.kind} -> {kind}).")
        kind = target.kind
    elif kind not in KINDS:
        raise Invalid(f"Metadata kind must be one of {', '.join(KINDS)}.")
    if name in RESERVED_NAMES:
        raise AlreadyExists(f"'{name}' is a reserved metadata schema name.")
    taken = f"A metadata schema named '{name}' already exists."
    holder = session.scalar(select(MetadataSchema.id).where(MetadataSchema.org_id == scope.org.id,
                                                            MetadataSchema.name == name))
    if holder is not None and (target is None or holder != target.pk):
        raise AlreadyExists(taken)
    options = _planned_options(target, kind, data.get("options") or [])
    try:
        with write_transaction(session):
            row = MetadataSchema(org_id=scope.org.id, name=name, kind=kind, created_at=now_iso()) \
                if target is None else session.get(MetadataSchema, target.pk)
            if row is None:  # deleted since it was read
                raise NotFound(f"Metadata schema {data['id']} not found.")
            row.name = name
            session.add(row)
            session.flush()
            current = {o.id: o for o in session.scalars(select(MetadataOption)
                                                         .where(MetadataOption.schema_id == row.id))}
            for option_name, option_pk in options:
                if option_pk is None:
                    session.add(MetadataOption(schema_id=row.id, name=option_name, created_at=now_iso()))
                elif option_pk in current:
                    current[option_pk].name = option_name
                else:  # deleted since it was read
                    raise NotFound(f"Enum option {ids.encode('metadata_option', option_pk)} not found.")
            session.flush()
    except IntegrityError as exc:  # the block rolled back
        constraint = violated_constraint(exc)
        if constraint == "uq_metadata_schemas_org_id_name":
            raise AlreadyExists(taken) from None
        if constraint == "uq_metadata_options_schema_id_name":
            raise AlreadyExists("Enum option names must be unique within their schema.") from None
        raise
    return ontology(session, scope).by_id[ids.encode("metadata_schema", row.id)]


def _planned_options(target: Schema | None, kind: Any, options: Any) -> list[tuple[str, int | None]]:
    """The enum options to write, as (name, key of the option renamed or None for a new one)."""
    if options and kind != ENUM:
        raise Invalid("Only enum metadata schemas have options.")
    current = {o.pk for o in target.options} if target is not None else set()
    seen: set[str] = set()
    out: list[tuple[str, int | None]] = []
    for item in options:
        option_name = _check_name(item.get("name"), "Enum option")
        if option_name in seen:
            raise AlreadyExists(f"Enum option '{option_name}' is listed twice.")
        seen.add(option_name)
        option_pk = ids.decode("metadata_option", item.get("id")) if item.get("id") else None
        if item.get("id") and (option_pk is None or option_pk not in current):
            raise NotFound(f"Enum option {item['id']} not found.")
        out.append((option_name, option_pk))
    return out


def delete_schema(session: Session, scope: OrgScope, schema_id: Any) -> bool:
    target = ontology(session, scope).by_id.get(schema_id)
    if target is None or target.reserved:
        raise NotFound(f"Metadata schema {schema_id} not found.")
    with write_transaction(session):
        session.execute(delete(DataRowMetadata).where(DataRowMetadata.schema_id == target.id))  # enums: key = enum id
        row = session.get(MetadataSchema, target.pk)
        if row is not None:  # else deleted meanwhile
            session.delete(row)
    return True


# ------------------------------------------------------------------------------------------------------ values
def _datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("A datetime metadata value must be an ISO-8601 string.")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"'{value}' is not an ISO-8601 datetime.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def resolve_fields(onto: Ontology, fields: Any) -> dict[str, Any]:
    """Validate ``[{schemaId, value, name?}]`` (the SDK's wire form) into {schema id: stored value}; an enum
    arrives as ``{enum id, {}}`` + ``{option id, {}}`` (or as ``{enum id, option id}``) and is stored as
    {enum id: option id}. Raises Invalid naming the first bad field."""
    if fields is None:
        return {}
    if not isinstance(fields, list):
        raise Invalid("metadata_fields must be a list of {schemaId, value}.")
    out: dict[str, Any] = {}
    for item in fields:
        if not isinstance(item, dict):
            raise Invalid("Each metadata field is an object {schemaId, value}.")
        sid = item.get("schemaId", item.get("schema_id"))
        value = item.get("value")
        if sid is None and item.get("name") in onto.by_name:
            sid = onto.by_name[item["name"]].id
        option = onto.option_by_id.get(sid) if isinstance(sid, str) else None
        if option is not None:
            out[option.parent] = option.id
            continue
        schema = onto.by_id.get(sid) if isinstance(sid, str) else None
        if schema is None or not isinstance(sid, str):
            raise Invalid(f"Metadata schema '{sid}' does not exist in this organization.")
        kind = schema.kind
        if kind == ENUM:
            if isinstance(value, str) and value in onto.option_by_id and onto.option_by_id[value].parent == sid:
                out[sid] = value
            elif value in ({}, None) or value == "":
                out.setdefault(sid, None)  # the option entry follows
            else:
                raise Invalid(f"'{value}' is not an option of enum metadata '{schema.name}'.")
        elif kind == STRING:
            if not isinstance(value, str) or len(value) > MAX_STRING:
                raise Invalid(f"Metadata '{schema.name}' takes a string of at most {MAX_STRING} characters.")
            out[sid] = value
        elif kind == NUMBER:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise Invalid(f"Metadata '{schema.name}' takes a finite number.")
            out[sid] = float(value)
        elif kind == DATETIME:
            out[sid] = _datetime(value)
        elif kind == EMBEDDING:
            if (not isinstance(value, list) or not 1 <= len(value) <= MAX_EMBEDDING
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
                raise Invalid(f"Metadata '{schema.name}' takes a list of 1..{MAX_EMBEDDING} numbers.")
            out[sid] = [float(v) for v in value]
    missing = [onto.by_id[k].name for k, v in out.items() if v is None]
    if missing:
        raise Invalid(f"Enum metadata '{missing[0]}' was given without an option.")
    return out


def wire_fields(onto: Ontology, stored: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(customMetadata, metadataFields) of one data row, in the shapes the SDK parses: an enum is reported as
    its option (``schemaId`` = ``value`` = option id, kind CustomMetadataEnumOption)."""
    custom: list[dict[str, Any]] = []
    named: list[dict[str, Any]] = []
    for sid, value in stored.items():
        schema = onto.by_id.get(sid)
        if schema is None:
            continue
        if schema.kind == ENUM:
            option = onto.option_by_id.get(value)
            if option is None:
                continue
            custom.append({"schemaId": option.id, "value": option.id})
            named.append({"schemaId": option.id, "name": option.name, "value": option.id, "kind": OPTION})
        else:
            custom.append({"schemaId": sid, "value": value})
            named.append({"schemaId": sid, "name": schema.name, "value": value, "kind": schema.kind})
    return custom, named


def values_of(session: Session, sample_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(sample_ids), 500):
        chunk = sample_ids[start:start + 500]
        for row in session.execute(select(DataRowMetadata.sample_id, DataRowMetadata.schema_id,
                                          DataRowMetadata.value).where(DataRowMetadata.sample_id.in_(chunk))):
            out.setdefault(row.sample_id, {})[row.schema_id] = row.value
    return out


def set_values(session: Session, sample_id: int, values: dict[str, Any]) -> None:
    """Upsert ``values`` on one data row (other schemas keep theirs), in the caller's transaction."""
    if not values:
        return
    session.execute(delete(DataRowMetadata).where(DataRowMetadata.sample_id == sample_id,
                                                  DataRowMetadata.schema_id.in_(list(values))))
    # JSONText stores a str verbatim (as JSON text already): serialise every value ourselves
    session.add_all([DataRowMetadata(sample_id=sample_id, schema_id=k, value=orjson.dumps(v).decode())
                     for k, v in values.items()])


def delete_values(session: Session, onto: Ontology, sample_id: int, schema_ids: list[str]) -> None:
    """Remove these schemas' values; an option id (or the enum's id) removes the enum's value."""
    targets = set()
    for sid in schema_ids:
        option = onto.option_by_id.get(sid)
        targets.add(option.parent if option is not None else sid)
    if targets:
        session.execute(delete(DataRowMetadata).where(DataRowMetadata.sample_id == sample_id,
                                                      DataRowMetadata.schema_id.in_(sorted(targets))))
