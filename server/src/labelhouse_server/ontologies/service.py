"""Feature schemas and ontologies of an organization. Each write is one ``write_transaction``, opened after the
checks that need no lookup.

Services take primary keys (the GraphQL and REST layers decode public ids with ``labelbox/ids.py``; a malformed
id decodes to None, which is simply absent). Objects of another organization answer exactly like missing ones
(``NotFound``); the GraphQL layer turns that into ``null`` for reads and ``AUTHORIZATION_ERROR`` for writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope
from ..db import FeatureSchema, Label, Ontology, OntologyFeature, Project, ProjectLabelset
from ..db.transaction import write_transaction
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labelbox import ids
from ..timeutil import now_iso
from . import normalized as nz

# Labelbox MediaType values (labelbox.schema.media_type.MediaType); UNKNOWN is stored as NULL.
MEDIA_TYPES = frozenset({
    "AUDIO", "CONVERSATIONAL", "PDF", "TMS_GEO", "HTML", "IMAGE", "TMS_SIMPLE", "TEXT", "VIDEO", "POINT_CLOUD",
    "LLM", "DOCUMENT", "JSON", "SIMPLE_TILE", "GEOSPATIAL_TILE", "UNKNOWN",
})
EDITOR_TASK_TYPES = frozenset({"MODEL_CHAT_EVALUATION", "OFFLINE_MODEL_CHAT_EVALUATION", "RESPONSE_CREATION"})
PAGE_MAX = 1000


def require_write(scope: OrgScope) -> None:
    """Ontologies, projects and batches change at the organization role manager and above (as datasets do)."""
    if not scope.can_write():
        raise Forbidden("You do not have permission to perform this action: it needs the organization role "
                        "manager or admin.")


def check_media_type(value: Any, field: str = "mediaType") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in MEDIA_TYPES:
        raise Invalid(f"{field} must be one of {', '.join(sorted(MEDIA_TYPES))}; got {value!r}.", field=field)
    value = value.upper()
    return None if value == "UNKNOWN" else value


def check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{what} must be a non-empty string.", field="name")
    if len(value) > 255:
        raise Invalid(f"{what} is longer than 255 characters.", field="name")
    return value


def page_size(first: Any) -> int:
    if first is None:
        return 100
    if not isinstance(first, int) or isinstance(first, bool) or first < 1:
        raise Invalid("first must be a positive integer.", field="first")
    return min(first, PAGE_MAX)


def page(session: Session, query: Any, model: Any, after: int | None, first: Any) -> tuple[list[Any], int | None]:
    """Keyset page in creation order (primary keys grow); the cursor is the last row's key (None: no more)."""
    size = page_size(first)
    if after is not None:
        query = query.where(model.id > after)
    rows = list(session.scalars(query.order_by(model.id).limit(size + 1)))
    if len(rows) > size:
        return rows[:size], rows[size - 1].id
    return rows, None


# ------------------------------------------------------------------------------------------- feature schemas
def feature_ids(pk: int) -> tuple[str, str]:
    """(featureSchemaId, schemaNodeId) of a top-level feature."""
    return ids.encode("feature_schema", pk), ids.encode("schema_node", pk)


def get_feature_schema(session: Session, scope: OrgScope, pk: int | None) -> FeatureSchema:
    fs = session.get(FeatureSchema, pk) if isinstance(pk, int) else None
    if fs is None or fs.organization_id != scope.org_id:
        raise NotFound("Feature schema not found.")
    return fs


def _feature_from(session: Session, scope: OrgScope, node: dict[str, Any], tracker: Any, path: str,
                  index: int) -> FeatureSchema:
    """Create, or update when the node names an existing ``featureSchemaId``, one top-level feature (inside the
    caller's ``write_transaction``: it validates as it goes, and a refusal rolls back what came before it)."""
    public_id = node.get("featureSchemaId")
    now = now_iso()
    if public_id is not None:
        fs = session.get(FeatureSchema, ids.decode("feature_schema", public_id) or 0)
        if fs is None or fs.organization_id != scope.org_id:
            raise Invalid(f"{path}.featureSchemaId {public_id!r} is not a feature schema of this organization.",
                          field=f"{path}.featureSchemaId")
        if nz.kind_of(node) != fs.kind:
            raise Invalid(f"{path}: feature schema {public_id} is a {fs.kind}; it cannot become a "
                          f"{nz.kind_of(node)}.", field=path)
        if node.get("schemaNodeId") not in (None, feature_ids(fs.id)[1]):
            raise Invalid(f"{path}.schemaNodeId does not belong to feature schema {public_id}.",
                          field=f"{path}.schemaNodeId")
        definition = nz.prepare_feature(node, fs.normalized, ids=tracker, path=path, index=index)
        definition["featureSchemaId"], definition["schemaNodeId"] = feature_ids(fs.id)
        if definition != fs.normalized:
            fs.normalized = definition
            fs.name = definition["name"]
            fs.updated_at = now
        return fs
    node = {k: v for k, v in node.items() if k != "schemaNodeId"}
    definition = nz.prepare_feature(node, None, ids=tracker, path=path, index=index)
    fs = FeatureSchema(organization_id=scope.org_id, name=definition["name"], kind=nz.kind_of(definition),
                       normalized=definition, created_by_id=scope.user.id, created_at=now, updated_at=now)
    session.add(fs)
    session.flush()
    definition = dict(definition)
    definition["featureSchemaId"], definition["schemaNodeId"] = feature_ids(fs.id)
    fs.normalized = definition
    return fs


def create_feature_schema(session: Session, scope: OrgScope, normalized: Any) -> FeatureSchema:
    """``upsertRootSchemaNode``: a new feature, or an update when ``normalized`` carries a featureSchemaId."""
    require_write(scope)
    node = nz.parse_document(normalized)
    with write_transaction(session):
        fs = _feature_from(session, scope, node, nz.new_id_tracker(), "normalized", 0)
    return fs


def upsert_feature_schema(session: Session, scope: OrgScope, pk: int | None, normalized: Any,
                          create: bool = False) -> FeatureSchema:
    """REST ``PUT /feature-schemas/{id}``: ``create`` for ``new_feature_schema_id``, else update feature ``pk``."""
    require_write(scope)
    node = nz.parse_document(normalized)
    if create:
        node.pop("featureSchemaId", None)
    else:
        fs = get_feature_schema(session, scope, pk)
        if node.get("featureSchemaId") not in (None, feature_ids(fs.id)[0]):
            raise Invalid("normalized.featureSchemaId differs from the feature schema in the URL.",
                          field="normalized.featureSchemaId")
        node["featureSchemaId"] = feature_ids(fs.id)[0]
    with write_transaction(session):
        fs = _feature_from(session, scope, node, nz.new_id_tracker(), "normalized", 0)
    return fs


def rename_feature_schema(session: Session, scope: OrgScope, pk: int | None, title: Any) -> FeatureSchema:
    require_write(scope)
    fs = get_feature_schema(session, scope, pk)
    title = check_name(title, "title")
    with write_transaction(session):
        fs.name = title
        fs.normalized = {**fs.normalized, "name": title}
        fs.updated_at = now_iso()
    return fs


def list_feature_schemas(session: Session, scope: OrgScope, search: str | None, after: int | None = None,
                         first: Any = None) -> tuple[list[FeatureSchema], int | None]:
    query = select(FeatureSchema).where(FeatureSchema.organization_id == scope.org_id)
    if search:
        query = query.where(func.lower(FeatureSchema.name).contains(search.lower(), autoescape=True))
    return page(session, query, FeatureSchema, after, first)


def _in_use(feature_schema_id: Any) -> Any:
    return exists().where(OntologyFeature.feature_schema_id == feature_schema_id)


def unused_feature_schemas(session: Session, scope: OrgScope, after: int | None) -> list[FeatureSchema]:
    query = select(FeatureSchema).where(FeatureSchema.organization_id == scope.org_id, ~_in_use(FeatureSchema.id))
    return page(session, query, FeatureSchema, after, 100)[0]


def delete_unused_feature_schema(session: Session, scope: OrgScope, pk: int | None) -> None:
    require_write(scope)
    fs = get_feature_schema(session, scope, pk)
    with write_transaction(session):  # checked in it: no ontology takes the feature meanwhile
        if session.scalar(select(_in_use(fs.id))):
            raise Conflict(f"Feature schema {feature_ids(fs.id)[0]} is used by an ontology; remove it from the "
                           "ontologies first.")
        session.delete(fs)


def feature_public(fs: FeatureSchema) -> dict[str, Any]:
    """GraphQL ``RootSchemaNode``: ``id`` is the root node; the SDK takes the feature id from ``normalized``."""
    return {"id": feature_ids(fs.id)[1], "name": fs.name, "normalized": fs.normalized}


# ------------------------------------------------------------------------------------------------ ontologies
def get_ontology(session: Session, scope: OrgScope, pk: int | None) -> Ontology:
    ontology = session.get(Ontology, pk) if isinstance(pk, int) else None
    if ontology is None or ontology.organization_id != scope.org_id:
        raise NotFound("Ontology not found.")
    return ontology


def create_ontology(session: Session, scope: OrgScope, name: Any, normalized: Any, media_type: Any = None,
                    editor_task_type: Any = None, description: str | None = None) -> Ontology:
    require_write(scope)
    name = check_name(name, "name")
    media = check_media_type(media_type)
    if editor_task_type is not None and editor_task_type not in EDITOR_TASK_TYPES:
        raise Invalid(f"editorTaskType must be one of {', '.join(sorted(EDITOR_TASK_TYPES))}.",
                      field="editorTaskType")
    doc = nz.parse_document(normalized)
    lists: list[tuple[str, str, list[Any]]] = []
    for key, kind in (("tools", "tool"), ("classifications", "classification")):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise Invalid(f"normalized.{key} must be a list.", field=f"normalized.{key}")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or nz.kind_of(item) != kind:
                raise Invalid(f"normalized.{key}[{i}] must be a {kind}.", field=f"normalized.{key}[{i}]")
        lists.append((key, kind, items))
    relationships = doc.get("relationships") or []
    if not isinstance(relationships, list):
        raise Invalid("normalized.relationships must be a list.", field="normalized.relationships")
    tracker = nz.new_id_tracker()
    features: list[tuple[str, FeatureSchema]] = []
    with write_transaction(session):  # features are created or updated as they are checked: a refusal undoes all
        for key, kind, items in lists:
            prepared = []
            for i, item in enumerate(items):
                path = f"normalized.{key}[{i}]"
                fs = _feature_from(session, scope, item, tracker, path, i)
                if any(fs.id == other.id for _, other in features):
                    raise Invalid(f"{path}: feature schema {feature_ids(fs.id)[0]} appears twice.", field=path)
                prepared.append(fs.normalized)
                features.append((kind, fs))
            nz.check_unique_names(prepared, f"normalized.{key}")
        now = now_iso()
        ontology = Ontology(organization_id=scope.org_id, name=name, description=description, media_type=media,
                            editor_task_type=editor_task_type, relationships=relationships,
                            created_by_id=scope.user.id, created_at=now, updated_at=now)
        session.add(ontology)
        session.flush()
        positions = {"tool": 0, "classification": 0}
        for kind, fs in features:
            session.add(OntologyFeature(ontology_id=ontology.id, feature_schema_id=fs.id, kind=kind,
                                        position=positions[kind], archived=False))
            positions[kind] += 1
    return ontology


Features = dict[int, list[tuple[OntologyFeature, FeatureSchema]]]


def _features(session: Session, ontology_ids: Sequence[int]) -> Features:
    out: Features = {oid: [] for oid in ontology_ids}
    if not ontology_ids:
        return out
    rows = session.execute(
        select(OntologyFeature, FeatureSchema)
        .join(FeatureSchema, FeatureSchema.id == OntologyFeature.feature_schema_id)
        .where(OntologyFeature.ontology_id.in_(list(ontology_ids)))
        .order_by(OntologyFeature.ontology_id, OntologyFeature.kind.desc(), OntologyFeature.position)
    ).all()
    for of, fs in rows:
        out[of.ontology_id].append((of, fs))
    return out


def _normalized(ontology: Ontology, features: list[tuple[OntologyFeature, FeatureSchema]]) -> dict[str, Any]:
    live = [(of.kind, fs.normalized) for of, fs in features if not of.archived]
    return {"tools": [n for kind, n in live if kind == "tool"],
            "classifications": [n for kind, n in live if kind == "classification"],
            "relationships": ontology.relationships or []}


def ontology_normalized(session: Session, ontology: Ontology) -> dict[str, Any]:
    return _normalized(ontology, _features(session, [ontology.id])[ontology.id])


def ontologies_public(session: Session, ontologies: Sequence[Ontology]) -> list[dict[str, Any]]:
    """GraphQL ``Ontology`` objects (one query for all their features)."""
    features = _features(session, [o.id for o in ontologies])
    out = []
    for ontology in ontologies:
        doc = _normalized(ontology, features[ontology.id])
        out.append({
            "id": ids.encode("ontology", ontology.id), "name": ontology.name, "description": ontology.description,
            "mediaType": ontology.media_type, "editorTaskType": ontology.editor_task_type,
            "normalized": doc, "objectSchemaCount": len(doc["tools"]),
            "classificationSchemaCount": len(doc["classifications"]),
            "createdAt": ontology.created_at, "updatedAt": ontology.updated_at,
        })
    return out


def ontology_public(session: Session, ontology: Ontology) -> dict[str, Any]:
    return ontologies_public(session, [ontology])[0]


def list_ontologies(session: Session, scope: OrgScope, search: str | None, after: int | None = None,
                    first: Any = None) -> tuple[list[Ontology], int | None]:
    query = select(Ontology).where(Ontology.organization_id == scope.org_id)
    if search:
        query = query.where(func.lower(Ontology.name).contains(search.lower(), autoescape=True))
    return page(session, query, Ontology, after, first)


def _used_by_project(ontology_id: Any) -> Any:
    return exists().where(Project.ontology_id == ontology_id, Project.deleted.is_(False))


def unused_ontologies(session: Session, scope: OrgScope, after: int | None) -> list[Ontology]:
    query = select(Ontology).where(Ontology.organization_id == scope.org_id, ~_used_by_project(Ontology.id))
    return page(session, query, Ontology, after, 100)[0]


def delete_unused_ontology(session: Session, scope: OrgScope, pk: int | None) -> None:
    require_write(scope)
    ontology = get_ontology(session, scope, pk)
    with write_transaction(session):  # checked in it: no project connects it meanwhile
        if session.scalar(select(_used_by_project(ontology.id))):
            raise Conflict(f"Ontology {ids.encode('ontology', ontology.id)} is connected to a project and cannot "
                           "be deleted.")
        # Deleted projects that still point at it let go of it.
        session.execute(update(Project).where(Project.ontology_id == ontology.id).values(ontology_id=None))
        session.delete(ontology)


def feature_schema_nodes(session: Session, scope: OrgScope, pk: int | None) -> dict[str, Any]:
    """REST ``GET /ontologies/{id}``: every feature of the ontology with its ``archived`` flag."""
    ontology = get_ontology(session, scope, pk)
    nodes: dict[str, list[dict[str, Any]]] = {"tools": [], "classifications": [], "relationships": []}
    for of, fs in _features(session, [ontology.id])[ontology.id]:
        nodes["tools" if of.kind == "tool" else "classifications"].append(
            {**fs.normalized, "archived": bool(of.archived), "position": of.position})
    return {"id": ids.encode("ontology", ontology.id), "name": ontology.name, "featureSchemaNodes": nodes}


def _membership(session: Session, ontology: Ontology, fs_pk: int | None) -> OntologyFeature | None:
    return session.get(OntologyFeature, (ontology.id, fs_pk)) if isinstance(fs_pk, int) else None


def insert_feature(session: Session, scope: OrgScope, pk: int | None, fs_pk: int | None, position: Any) -> None:
    """Put a feature at ``position`` among the ontology's tools (or classifications); one already there moves."""
    require_write(scope)
    ontology = get_ontology(session, scope, pk)
    fs = get_feature_schema(session, scope, fs_pk)
    if position is None:
        position = 10**9
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise Invalid("position must be a non-negative integer.", field="position")
    with write_transaction(session):  # the positions are read in it: no concurrent insert interleaves
        features = [(of, other) for of, other in _features(session, [ontology.id])[ontology.id]
                    if of.kind == fs.kind and other.id != fs.id]
        if fs.name in {other.name for of, other in features if not of.archived}:
            raise Conflict(f"The ontology already has a {fs.kind} named '{fs.name}'.")
        current = _membership(session, ontology, fs.id)
        if current is None:
            current = OntologyFeature(ontology_id=ontology.id, feature_schema_id=fs.id, kind=fs.kind, position=0,
                                      archived=False)
            session.add(current)
        siblings = [of for of, _ in features]
        position = min(position, len(siblings))
        for i, of in enumerate(siblings[:position] + [current] + siblings[position:]):
            of.position = i
        ontology.updated_at = now_iso()


def _has_labels(session: Session, ontology: Ontology) -> bool:
    """Whether any project using this ontology has labels (then its features are archived, not deleted)."""
    project_ids = select(Project.id).where(Project.ontology_id == ontology.id)
    labelsets = select(ProjectLabelset.labelset_id).where(ProjectLabelset.project_id.in_(project_ids))
    return bool(session.scalar(select(exists().where(Label.labelset_id.in_(labelsets)))))


def remove_feature(session: Session, scope: OrgScope, pk: int | None, fs_pk: int | None) -> tuple[bool, bool]:
    """Archive the feature when labels may use it, else remove it from the ontology: (archived, deleted)."""
    require_write(scope)
    ontology = get_ontology(session, scope, pk)
    membership = _membership(session, ontology, fs_pk)
    if membership is None:
        raise NotFound("The feature schema is not in this ontology.")
    with write_transaction(session):  # labels are looked for in it: none is added between the look and the delete
        if _has_labels(session, ontology):
            membership.archived = True
            result = (True, False)
        else:
            session.delete(membership)
            result = (False, True)
        ontology.updated_at = now_iso()
    return result


def unarchive_feature(session: Session, scope: OrgScope, pk: int | None, fs_pk: int | None) -> bool:
    require_write(scope)
    ontology = get_ontology(session, scope, pk)
    membership = _membership(session, ontology, fs_pk)
    if membership is None:
        raise NotFound("The feature schema is not in this ontology.")
    with write_transaction(session):
        membership.archived = False
        ontology.updated_at = now_iso()
    return True
