"""Data rows: samples seen through the Labelbox API (§2.3).

Row data <-> sample ``attributes``: an image URL is ``{"image": {"url": ...}}`` (the Segments image sample), any
other media is ``{"row_data": ...}``; Segments samples of other kinds read back with their main URL (point cloud,
first frame) or their attributes as JSON text. The Labelbox-only fields (global key, external id, media type) live
in ``data_rows``; attachments and metadata in their own tables (``db/catalog.py``).

``upsert_chunk`` writes one uploaded chunk (§3.1) in one transaction: every item is validated first, bad items are
reported with their reason and never written, good ones are inserted/updated together.
"""

from __future__ import annotations

import posixpath
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import orjson
from sqlalchemy import Table, Text, delete, insert, select, tuple_, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import DataRowAttachment, DataRowInfo, Dataset, Sample
from ..db.catalog import MAX_GLOBAL_KEY
from ..db.integrity import violated_constraint
from ..db.rows import Selected
from ..db.transaction import write_transaction
from ..errors import Invalid
from ..ids import new_uuids
from ..labelbox import ids
from ..timeutil import now_iso
from . import metadata as md
from .orgs import OrgScope

ST: Table = Sample.__table__  # type: ignore[assignment]
DT: Table = DataRowInfo.__table__  # type: ignore[assignment]
ATTACHMENT_TYPES = ("IMAGE", "VIDEO", "RAW_TEXT", "TEXT_URL", "HTML", "PDF_URL", "IMAGE_OVERLAY", "AUDIO",
                    "CAMERA_IMAGE")
MEDIA_TYPES = ("IMAGE", "VIDEO", "TEXT", "AUDIO", "HTML", "PDF", "DOCUMENT", "CONVERSATIONAL", "GEOSPATIAL_TILE",
               "SIMPLE_TILE", "LLM_PROMPT_RESPONSE_CREATION", "LLM_PROMPT_CREATION", "LLM")
MAX_ROW_DATA = 64 * 1024
MAX_EXTERNAL_ID = 1024
IN_CHUNK = 500

EXT_MEDIA = {
    ".jpg": ("IMAGE", "image/jpeg"), ".jpeg": ("IMAGE", "image/jpeg"), ".png": ("IMAGE", "image/png"),
    ".gif": ("IMAGE", "image/gif"), ".bmp": ("IMAGE", "image/bmp"), ".webp": ("IMAGE", "image/webp"),
    ".tif": ("IMAGE", "image/tiff"), ".tiff": ("IMAGE", "image/tiff"),
    ".mp4": ("VIDEO", "video/mp4"), ".mov": ("VIDEO", "video/quicktime"), ".webm": ("VIDEO", "video/webm"),
    ".txt": ("TEXT", "text/plain"), ".md": ("TEXT", "text/markdown"), ".csv": ("TEXT", "text/csv"),
    ".mp3": ("AUDIO", "audio/mpeg"), ".wav": ("AUDIO", "audio/wav"), ".m4a": ("AUDIO", "audio/mp4"),
    ".html": ("HTML", "text/html"), ".htm": ("HTML", "text/html"), ".pdf": ("PDF", "application/pdf"),
    ".json": ("CONVERSATIONAL", "application/json"),
}
ASSET_TYPE = {"IMAGE": "image", "VIDEO": "video", "TEXT": "text", "AUDIO": "audio", "HTML": "html", "PDF": "pdf",
               "CONVERSATIONAL": "conversational"}


# --------------------------------------------------------------------------------------------- row data mapping
def _extension(row_data: str) -> str:
    """The file extension of a URL's path (or of a plain path), lower case: what ``urlparse(...).path`` would
    give, without its cost per row (it is called for every row of an upsert)."""
    path = row_data
    if "://" in path:
        rest = path.split("://", 1)[1]
        slash = rest.find("/")
        path = rest[slash:] if slash >= 0 else ""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if ";" in path:  # urlparse's path parameters
            path = path.rsplit("/", 1)[0] + "/" + path.rsplit("/", 1)[1].split(";", 1)[0]
    return posixpath.splitext(path)[1].lower()


def media_type_for(row_data: Any, explicit: str | None) -> str:
    if explicit:
        return explicit
    if not isinstance(row_data, str):
        return "CONVERSATIONAL" if isinstance(row_data, dict) and "messages" in row_data else "GEOSPATIAL_TILE"
    return EXT_MEDIA.get(_extension(row_data), ("IMAGE", None))[0]


def attributes_for(row_data: Any, media_type: str) -> dict[str, Any]:
    if media_type == "IMAGE" and isinstance(row_data, str):
        return {"image": {"url": row_data}}
    return {"row_data": row_data}


def row_data_of(attributes: Any) -> str | None:
    if not isinstance(attributes, dict):
        return None
    if "row_data" in attributes:
        value = attributes["row_data"]
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    image = attributes.get("image")
    if isinstance(image, dict) and isinstance(image.get("url"), str):
        return image["url"]
    pcd = attributes.get("pcd")
    if isinstance(pcd, dict) and isinstance(pcd.get("url"), str):
        return pcd["url"]
    frames = attributes.get("frames")
    if isinstance(frames, list) and frames and isinstance(frames[0], dict):
        return row_data_of(frames[0])
    return orjson.dumps(attributes).decode()


def media_attributes(row_data: str | None, media_type: str | None) -> dict[str, Any]:
    kind = media_type or (media_type_for(row_data, None) if row_data else "IMAGE")
    mime = EXT_MEDIA.get(_extension(row_data or ""), (None, None))[1]
    out: dict[str, Any] = {"assetType": ASSET_TYPE.get(kind, kind.lower())}
    if mime:
        out["mimeType"] = mime
    return out


# ------------------------------------------------------------------------------------------------------ reading
@dataclass
class RowView:
    sample_id: int
    dataset_id: int
    created_at: str
    updated_at: str
    attributes: Any
    global_key: str | None
    external_id: str | None
    media_type: str | None
    created_by_id: int | None = None

    @property
    def row_data(self) -> str | None:
        return row_data_of(self.attributes)


# The row shape of a ``RowView``, declared once (``db/rows.py``); the stored attributes come back as JSON text,
# decoded in ``_views``.
ROW_VIEW = Selected("RowViewRow", sample_id=ST.c.id, dataset_id=ST.c.dataset_id, created_at=ST.c.created_at,
                    updated_at=ST.c.updated_at, attributes=type_coerce(ST.c.attributes, Text),
                    global_key=DT.c.global_key, external_id=DT.c.external_id, media_type=DT.c.media_type,
                    created_by_id=ST.c.created_by_id)


def _row_select() -> Any:
    return (select(*ROW_VIEW.select_list)
            .select_from(ST.join(Dataset.__table__, Dataset.__table__.c.id == ST.c.dataset_id)
                         .outerjoin(DT, DT.c.sample_id == ST.c.id)))


def _views(rows: Any) -> list[RowView]:
    views = []
    for row in rows:
        fields = ROW_VIEW.make(row)._asdict()
        fields["attributes"] = orjson.loads(fields["attributes"]) if fields["attributes"] else None
        views.append(RowView(**fields))
    return views


def load_rows(session: Session, scope: OrgScope, sample_ids: list[int]) -> dict[int, RowView]:
    """The caller's organization's data rows among ``sample_ids`` (others are simply absent)."""
    out: dict[int, RowView] = {}
    for start in range(0, len(sample_ids), IN_CHUNK):
        chunk = sample_ids[start:start + IN_CHUNK]
        query = _row_select().where(ST.c.id.in_(chunk), Dataset.__table__.c.owner_id == scope.org.id)
        for view in _views(session.execute(query)):
            out[view.sample_id] = view
    return out


def get_row(session: Session, scope: OrgScope, sample_id: int | None) -> RowView | None:
    if sample_id is None:
        return None
    return load_rows(session, scope, [sample_id]).get(sample_id)


def dataset_rows(session: Session, dataset_id: int, start: int | None, first: int,
                 external_id: str | None = None, global_key: str | None = None) -> tuple[list[RowView], int | None]:
    """One page of a dataset's rows, newest first, from the row ``start`` (a sample id) on; and the sample id
    that starts the next page, or None on the last page."""
    query = _row_select().where(ST.c.dataset_id == dataset_id)
    if external_id is not None:
        query = query.where(DT.c.external_id == external_id)
    if global_key is not None:
        query = query.where(DT.c.global_key == global_key)
    if start is not None:
        anchor = session.execute(select(ST.c.created_at).where(ST.c.id == start,
                                                               ST.c.dataset_id == dataset_id)).scalar()
        if anchor is None:
            return [], None
        query = query.where(tuple_(ST.c.created_at, ST.c.id) <= tuple_(anchor, start))
    rows = _views(session.execute(query.order_by(ST.c.created_at.desc(), ST.c.id.desc()).limit(first + 1)))
    next_start = rows[first].sample_id if len(rows) > first else None
    return rows[:first], next_start


def attachments_of(session: Session, sample_ids: list[int]) -> dict[int, list[DataRowAttachment]]:
    out: dict[int, list[DataRowAttachment]] = {}
    for start in range(0, len(sample_ids), IN_CHUNK):
        chunk = sample_ids[start:start + IN_CHUNK]
        for att in session.scalars(select(DataRowAttachment).where(DataRowAttachment.sample_id.in_(chunk))
                                   .order_by(DataRowAttachment.id)):
            out.setdefault(att.sample_id, []).append(att)
    return out


def ids_for_external_ids(session: Session, scope: OrgScope, external_ids: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for start in range(0, len(external_ids), IN_CHUNK):
        chunk = external_ids[start:start + IN_CHUNK]
        out.extend(session.execute(select(DT.c.sample_id, DT.c.external_id).where(
            DT.c.org_id == scope.org.id, DT.c.external_id.in_(chunk))).tuples())
    return out


def ids_for_global_keys(session: Session, scope: OrgScope, keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start:start + IN_CHUNK]
        out.update(session.execute(select(DT.c.global_key, DT.c.sample_id).where(
            DT.c.org_id == scope.org.id, DT.c.global_key.in_(chunk))).tuples().all())
    return out


# ------------------------------------------------------------------------------------------------- validation
_CONTROL = re.compile(r"[\x00-\x1f]")
def check_global_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise Invalid("A global key must be a non-empty string.")
    if len(key) > MAX_GLOBAL_KEY:
        raise Invalid(f"A global key is at most {MAX_GLOBAL_KEY} characters.")
    if _CONTROL.search(key):
        raise Invalid("A global key cannot contain control characters.")
    return key


def check_external_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_EXTERNAL_ID:
        raise Invalid(f"An external id is a string of at most {MAX_EXTERNAL_ID} characters.")
    return value


def check_row_data(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise Invalid("row_data must not be empty.")
        if len(value) > MAX_ROW_DATA:
            raise Invalid(f"row_data is longer than {MAX_ROW_DATA} characters.")
        return value
    if isinstance(value, dict) and len(orjson.dumps(value)) <= MAX_ROW_DATA:
        return value
    raise Invalid("row_data must be a URL string (or a JSON object for tiled or conversational data).")


def check_attachments(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("attachments must be a list of {type, value, name}.")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid("Each attachment is an object {type, value, name}.")
        kind, val, name = item.get("type"), item.get("value"), item.get("name")
        if kind not in ATTACHMENT_TYPES:
            raise Invalid(f"Attachment type must be one of {', '.join(ATTACHMENT_TYPES)}; got {kind!r}.")
        if not isinstance(val, str) or not val or len(val) > MAX_ROW_DATA:
            raise Invalid(f"An attachment value is a non-empty string of at most {MAX_ROW_DATA} characters.")
        if name is not None and not isinstance(name, str):
            raise Invalid("An attachment name is a string.")
        out.append({"type": kind, "value": val, "name": name})
    return out


# ---------------------------------------------------------------------------------------------------- upserts
@dataclass
class Item:
    index: int
    key_type: str
    key_value: Any
    payload: dict[str, Any]
    target: int | None = None  # sample id for updates
    dataset_id: int | None = None
    row_data: Any = None
    media_type: str | None = None
    metadata: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] | None = None
    vectors: list[Any] | None = None  # (embedding, vector) pairs of the payload's ``embeddings``


def failure_spec(payload: Any) -> dict[str, Any]:
    p = payload if isinstance(payload, dict) else {}
    row_data = p.get("row_data")
    metadata: list[Any] = p["metadata_fields"] if isinstance(p.get("metadata_fields"), list) else []
    attachments: list[Any] = p["attachments"] if isinstance(p.get("attachments"), list) else []
    return {
        "externalId": p.get("external_id") if isinstance(p.get("external_id"), str) else None,
        "globalKey": p.get("global_key") if isinstance(p.get("global_key"), str) else None,
        "rowData": row_data if isinstance(row_data, str) or row_data is None else orjson.dumps(row_data).decode(),
        "metadata": [{"schemaId": m.get("schemaId"), "value": m.get("value"), "name": m.get("name")}
                     for m in metadata if isinstance(m, dict)],
        "attachments": [{"type": a.get("type"), "value": a.get("value"), "name": a.get("name")}
                        for a in attachments if isinstance(a, dict)],
    }


def _sample_name(item: Item) -> str:
    p = item.payload
    for candidate in (p.get("global_key"), p.get("external_id")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate[:1024]
    if isinstance(item.row_data, str):
        base = posixpath.basename(urlparse(item.row_data).path) if "://" in item.row_data else ""
        if base:
            return base[:1024]
    return "data-row"


def upsert_chunk(session: Session, scope: OrgScope, items: Any, onto: md.Ontology,
                 datasets_ok: dict[int, bool], settings: Any = None) -> tuple[list[dict[str, Any]], list[int]]:
    """Validate and write one chunk in one write transaction. Returns (failures, written sample ids).
    ``datasets_ok`` caches which dataset ids belong to the caller's organization; ``settings`` lets vectors given
    with the rows schedule their embedding's index build."""
    for attempt in range(3):
        try:
            return _upsert_once(session, scope, items, onto, datasets_ok, settings)
        except IntegrityError as exc:  # a concurrent writer took a global key or name: the chunk's transaction
            # rolled back; re-check everything
            if attempt == 2 or violated_constraint(exc) not in ("uq_data_rows_org_id_global_key",
                                                                 "uq_samples_dataset_id_name"):
                raise
    raise AssertionError("unreachable")


def _upsert_once(session: Session, scope: OrgScope, raw_items: Any, onto: md.Ontology,
                 datasets_ok: dict[int, bool], settings: Any = None) -> tuple[list[dict[str, Any]], list[int]]:
    from .embeddings import PayloadVectors

    failures: list[dict[str, Any]] = []
    if not isinstance(raw_items, list):
        raise Invalid("A data-row chunk must be a JSON array of {id, payload} items.")
    parsed: list[Item] = []
    vectors = PayloadVectors(session, scope)
    for index, raw in enumerate(raw_items):
        try:
            item = _parse_item(index, raw, onto)
            item.vectors = vectors.check(item.payload.get("embeddings"))
            parsed.append(item)
        except Invalid as exc:
            failures.append({"message": exc.detail, "spec": failure_spec(raw.get("payload") if isinstance(raw, dict)
                                                                         else None)})
    with write_transaction(session):  # targets and global keys are resolved in it: the writes depend on them
        good = _resolve(session, scope, parsed, datasets_ok, failures)
        written = _write(session, scope, good)
        vectors.write([(i.target, i.vectors) for i in good if i.vectors and i.target is not None], settings)
    return failures, written


def _parse_item(index: int, raw: Any, onto: md.Ontology) -> Item:
    if not isinstance(raw, dict) or not isinstance(raw.get("payload"), dict):
        raise Invalid("Each item is an object {id: {type, value}, payload: {...}}.")
    key: dict[str, Any] = raw["id"] if isinstance(raw.get("id"), dict) else {"type": "AUTO", "value": ""}
    key_type = key.get("type", "AUTO")
    if key_type not in ("AUTO", "ID", "GKEY"):
        raise Invalid(f"Unknown key type {key_type!r} (expected AUTO, ID or GKEY).")
    p = raw["payload"]
    item = Item(index, key_type, key.get("value"), p)
    if "row_data" in p:
        item.row_data = check_row_data(p["row_data"])
    elif key_type == "AUTO":
        raise Invalid("row_data is required to create a data row.")
    if p.get("global_key") is not None:
        check_global_key(p["global_key"])
    check_external_id(p.get("external_id"))
    media = p.get("media_type")
    if media is not None and media not in MEDIA_TYPES:
        raise Invalid(f"media_type must be one of {', '.join(MEDIA_TYPES)}.")
    item.media_type = media
    item.metadata = md.resolve_fields(onto, p.get("metadata_fields"))
    item.attachments = check_attachments(p.get("attachments"))
    dataset_id = ids.decode("dataset", p.get("dataset_id"))
    if dataset_id is None and key_type == "AUTO":
        raise Invalid(f"Dataset {p.get('dataset_id')!r} does not exist or is not yours.")
    item.dataset_id = dataset_id
    return item


def _resolve(session: Session, scope: OrgScope, items: list[Item], datasets_ok: dict[int, bool],
             failures: list[dict[str, Any]]) -> list[Item]:
    """Datasets, update targets and global-key uniqueness, against the database and within the chunk."""
    wanted = {i.dataset_id for i in items if i.dataset_id is not None and i.dataset_id not in datasets_ok}
    if wanted:
        owned = set(session.scalars(select(Dataset.id).where(Dataset.id.in_(wanted),
                                                             Dataset.owner_id == scope.org.id)))
        datasets_ok.update({d: d in owned for d in wanted})
    by_id = [ids.decode("data_row", i.key_value) for i in items if i.key_type == "ID"]
    rows_by_id = load_rows(session, scope, [x for x in by_id if x is not None])
    keys = sorted({i.key_value for i in items if i.key_type == "GKEY" and isinstance(i.key_value, str)}
                  | {i.payload["global_key"] for i in items if isinstance(i.payload.get("global_key"), str)})
    key_owner = ids_for_global_keys(session, scope, keys)
    claimed: dict[str, int] = {}  # key -> item index within this chunk
    good: list[Item] = []
    for item in items:
        reason = None
        if item.key_type == "ID":
            pk = ids.decode("data_row", item.key_value)
            view = rows_by_id.get(pk) if pk is not None else None
            if view is None:
                reason = f"Data row {item.key_value!r} does not exist or is not yours."
            else:
                item.target = pk
        elif item.key_type == "GKEY":
            item.target = key_owner.get(item.key_value)
            if item.target is None:
                reason = f"No data row has the global key {item.key_value!r}."
        elif not datasets_ok.get(item.dataset_id or 0):
            reason = f"Dataset {item.payload.get('dataset_id')!r} does not exist or is not yours."
        new_key = item.payload.get("global_key")
        if reason is None and isinstance(new_key, str):
            owner = key_owner.get(new_key)
            if (owner is not None and owner != item.target) or new_key in claimed:
                reason = f"Duplicate global key: '{new_key}' is already used by another data row."
        if reason is not None:
            failures.append({"message": reason, "spec": failure_spec(item.payload)})
            continue
        if isinstance(new_key, str):
            claimed[new_key] = item.index
        good.append(item)
    return good


def _unique_names(session: Session, items: list[Item]) -> dict[int, str]:
    """A sample name per new item: unique within its dataset (suffixed with a random tag when taken)."""
    names: dict[int, str] = {}
    by_dataset: dict[int, list[Item]] = {}
    for item in items:
        by_dataset.setdefault(item.dataset_id or 0, []).append(item)
    for dataset_id, group in by_dataset.items():
        candidates = {i.index: _sample_name(i) for i in group}
        wanted = sorted(set(candidates.values()))
        taken: set[str] = set()
        for start in range(0, len(wanted), IN_CHUNK):
            taken.update(session.scalars(select(Sample.name).where(Sample.dataset_id == dataset_id,
                                                                   Sample.name.in_(wanted[start:start + IN_CHUNK]))))
        for index, name in candidates.items():
            if name in taken:
                name = f"{name[:1000]}-{secrets.token_hex(4)}"
            taken.add(name)
            names[index] = name
    return names


def _write(session: Session, scope: OrgScope, items: list[Item]) -> list[int]:
    now = now_iso()
    creates = [i for i in items if i.key_type == "AUTO"]
    updates = [i for i in items if i.key_type != "AUTO"]
    written: dict[int, int] = {}
    if creates:
        names = _unique_names(session, creates)
        uuids = new_uuids(len(creates))
        rows = []
        for item, uuid in zip(creates, uuids):
            media = media_type_for(item.row_data, item.media_type)
            item.media_type = item.media_type or (None if media == "IMAGE" else media)
            rows.append({"uuid": uuid, "dataset_id": item.dataset_id, "name": names[item.index],
                         "attributes": orjson.dumps(attributes_for(item.row_data, media)).decode(),
                         "metadata": "{}", "priority": 0.0, "readme": "", "embedding": None,
                         "assigned_labeler_id": None, "assigned_reviewer_id": None,
                         "created_by_id": scope.user.id, "created_at": now, "updated_at": now})
        result = session.execute(insert(ST).returning(ST.c.id, sort_by_parameter_order=True), rows)
        for item, (sample_id,) in zip(creates, result.all()):
            item.target = sample_id
            written[item.index] = sample_id
        side = [{"sample_id": i.target, "org_id": scope.org.id, "global_key": i.payload.get("global_key"),
                 "external_id": i.payload.get("external_id"), "media_type": i.media_type}
                for i in creates if i.payload.get("global_key") is not None
                or i.payload.get("external_id") is not None or i.media_type is not None]
        if side:
            session.execute(insert(DT), side)
    for item in updates:
        assert item.target is not None
        written[item.index] = item.target
        values: dict[str, Any] = {"updated_at": now}
        if item.row_data is not None:
            media = media_type_for(item.row_data, item.media_type)
            values["attributes"] = orjson.dumps(attributes_for(item.row_data, media)).decode()
        session.execute(update(ST).where(ST.c.id == item.target).values(**values))
        set_side(session, scope, item.target, {k: item.payload[k] for k in ("global_key", "external_id")
                                               if k in item.payload}
                 | ({"media_type": item.media_type} if item.media_type else {}))
    for item in items:
        if item.metadata:
            md.set_values(session, item.target, item.metadata)  # type: ignore[arg-type]
        if item.attachments:
            session.add_all([DataRowAttachment(sample_id=item.target, type=a["type"], value=a["value"],
                                               name=a["name"], created_at=now) for a in item.attachments])
    session.flush()
    return [written[i.index] for i in items]


def set_side(session: Session, scope: OrgScope, sample_id: int, values: dict[str, Any]) -> None:
    """Set global key / external id / media type of one data row (creating its ``data_rows`` row)."""
    if not values:
        return
    existing = session.get(DataRowInfo, sample_id)
    if existing is None:
        session.add(DataRowInfo(sample_id=sample_id, org_id=scope.org.id, **values))
    else:
        for key, value in values.items():
            setattr(existing, key, value)
    session.flush()


# ------------------------------------------------------------------------------------------- single-row writes
def update_row(session: Session, scope: OrgScope, view: RowView, data: dict[str, Any]) -> None:
    """``DataRow.update(external_id=, global_key=, row_data=)``; a taken global key is AlreadyExists."""
    from ..errors import AlreadyExists

    side: dict[str, Any] = {}
    if "externalId" in data:
        side["external_id"] = check_external_id(data["externalId"])
    if "globalKey" in data:
        key = data["globalKey"]
        side["global_key"] = None if key is None else check_global_key(key)
        if key is not None:
            owner = ids_for_global_keys(session, scope, [key]).get(key)
            if owner is not None and owner != view.sample_id:
                raise AlreadyExists(f"Global key '{key}' is already used by another data row.")
    values: dict[str, Any] = {"updated_at": now_iso()}
    if "rowData" in data:
        row_data = check_row_data(data["rowData"])
        media = media_type_for(row_data, view.media_type)
        values["attributes"] = orjson.dumps(attributes_for(row_data, media)).decode()
    try:
        with write_transaction(session):
            session.execute(update(ST).where(ST.c.id == view.sample_id).values(**values))
            set_side(session, scope, view.sample_id, side)
    except IntegrityError as exc:  # the block rolled back: nothing changed
        if violated_constraint(exc) == "uq_data_rows_org_id_global_key":
            raise AlreadyExists(f"Global key '{data.get('globalKey')}' is already used by another data row.") \
                from None
        raise


def add_attachment(session: Session, view: RowView, kind: Any, value: Any, name: Any) -> DataRowAttachment:
    checked = check_attachments([{"type": kind, "value": value, "name": name}])[0]
    att = DataRowAttachment(sample_id=view.sample_id, created_at=now_iso(), **checked)
    with write_transaction(session):
        session.add(att)
    return att


def delete_rows(session: Session, scope: OrgScope, sample_ids: list[int]) -> list[int]:
    """Delete the caller's organization's rows among ``sample_ids`` (labels, metadata, attachments and global
    keys go with them); returns the ids deleted."""
    with write_transaction(session):
        visible = list(load_rows(session, scope, sample_ids))
        for start in range(0, len(visible), IN_CHUNK):
            session.execute(delete(Sample).where(Sample.id.in_(visible[start:start + IN_CHUNK])))
    return visible
