"""Dataset logic: create, update, clone, delete, list; collaborators; labelsets. Each write is one transaction,
committed here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import orjson
from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..db import Account, Collaborator, Dataset, Label, Labelset, OrganizationMember, Release, Sample
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, CollaboratorInvalid, Invalid, NotFound
from ..ids import new_uuids
from ..labels.history import record_created
from ..releases.snapshot import delete_rows as delete_snapshot_rows
from ..storage.cleanup import enqueue_file_deletion
from ..timeutil import now_iso
from ..users.permissions import org_access
from ..users.schemas import owner_public, user_public
from ..users.service import get_account
from . import schemas as s
from .permissions import COLLABORATOR_ROLES, DatasetAccess, effective_role, effective_roles

GROUND_TRUTH = "ground-truth"


# ---------------------------------------------------------------------------------------------------- reading
def _page_facts(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, dict[str, int]], dict[int, int]]:
    """Sample counts, ground-truth label counts by status and collaborator counts of the datasets ``ids``: three
    statements whatever the number of datasets (a listing page renders in a constant number of statements)."""
    samples = dict(session.execute(select(Sample.dataset_id, func.count()).where(Sample.dataset_id.in_(ids))
                                   .group_by(Sample.dataset_id)).all())
    by_status: dict[int, dict[str, int]] = {}
    for dataset_id, status, count in session.execute(
        select(Labelset.dataset_id, Label.label_status, func.count())
        .join(Label, Label.labelset_id == Labelset.id)
        .where(Labelset.dataset_id.in_(ids), Labelset.name == GROUND_TRUTH)
        .group_by(Labelset.dataset_id, Label.label_status)
    ):
        by_status.setdefault(dataset_id, {})[status] = count
    collaborators = dict(session.execute(select(Collaborator.dataset_id, func.count())
                                         .where(Collaborator.dataset_id.in_(ids))
                                         .group_by(Collaborator.dataset_id)).all())
    return samples, by_status, collaborators


def _stats(counts: dict[str, int], total: int) -> dict[str, int]:
    stats = dict(counts)
    stats["UNLABELED"] = max(total - sum(counts.values()), 0)
    stats["TOTAL"] = total
    return stats


def labelset_public(ls: Labelset) -> dict[str, Any]:
    return {"name": ls.name, "description": ls.description or "", "is_groundtruth": bool(ls.is_groundtruth),
            "created_at": ls.created_at}


def dataset_public(session: Session, dataset: Dataset, role: str | None) -> dict[str, Any]:
    return datasets_public(session, [dataset], {dataset.id: role})[0]


def datasets_public(session: Session, datasets: list[Dataset], roles: dict[int, str | None]) -> list[dict[str, Any]]:
    """The wire shape of ``datasets`` (owners and labelsets loaded with them: see ``list_datasets``), with the
    caller's role on each from ``roles``."""
    if not datasets:
        return []
    samples, by_status, collaborators = _page_facts(session, [d.id for d in datasets])
    return [_dataset_public(d, roles.get(d.id), samples.get(d.id, 0), by_status.get(d.id, {}),
                            collaborators.get(d.id, 0)) for d in datasets]


def _dataset_public(dataset: Dataset, role: str | None, total: int, counts: dict[str, int],
                    collaborators: int) -> dict[str, Any]:
    options = {**s.OPTION_DEFAULTS, **(dataset.options or {})}
    out: dict[str, Any] = {
        "name": dataset.name,
        "full_name": f"{dataset.owner.username}/{dataset.name}",
        "cloned_from": dataset.cloned_from,
        "description": dataset.description or "",
        "category": dataset.category,
        "public": bool(dataset.public),
        "archived": bool(dataset.archived),
        "owner": owner_public(dataset.owner),
        "created_at": dataset.created_at,
        "updated_at": dataset.updated_at,
        "task_type": dataset.task_type,
        "data_type": dataset.data_type,
        "label_stats": _stats(counts, total),
        "samples_count": total,
        "collaborators_count": collaborators,
        "task_attributes": dataset.task_attributes,
        "labelsets": [labelset_public(ls) for ls in dataset.labelsets],
        "role": "admin" if role == "owner" else role,
        "readme": dataset.readme or "",
        "metadata": dataset.metadata_ or {},
        "insights_urls": None,
    }
    for key, default in s.OPTION_DEFAULTS.items():
        value = options.get(key, default)
        if value is None and key in s.BOOL_OPTIONS:
            value = default
        out[key] = value
    return out


def _member_of_conditions(user: Account) -> list[Any]:
    """Datasets the user owns, collaborates on, or that belong to one of the user's organizations."""
    collab = select(Collaborator.dataset_id).where(Collaborator.user_id == user.id)
    orgs = select(OrganizationMember.organization_id).where(OrganizationMember.user_id == user.id)
    return [Dataset.owner_id == user.id, Dataset.id.in_(collab), Dataset.owner_id.in_(orgs)]


def list_datasets(session: Session, user: Account, owner: Account | None, page: int, per_page: int) -> list[Dataset]:
    """``owner`` None: the caller's own, collaborator and organization datasets. Otherwise the datasets of ``owner``
    that the caller may see (those, plus public ones)."""
    if owner is None:
        query = select(Dataset).where(or_(*_member_of_conditions(user)))
    else:
        query = select(Dataset).where(Dataset.owner_id == owner.id,
                                      or_(*_member_of_conditions(user), Dataset.public.is_(True)))
    query = (query.options(selectinload(Dataset.labelsets))
             .order_by(Dataset.created_at, Dataset.id).offset((page - 1) * per_page).limit(per_page))
    return list(session.scalars(query))


def list_collaborators(session: Session, dataset: Dataset) -> list[Collaborator]:
    return list(session.scalars(select(Collaborator).where(Collaborator.dataset_id == dataset.id)
                                .order_by(Collaborator.id)))


# ---------------------------------------------------------------------------------------------------- writing
def _apply_fields(dataset: Dataset, fields: dict[str, Any]) -> None:
    options = dict(dataset.options or {})
    for key, value in fields.items():
        if key == "task_type":
            dataset.task_type = s.check_task_type(value)
        elif key == "task_attributes":
            dataset.task_attributes = s.check_task_attributes(value)
        elif key == "category":
            dataset.category = s.check_category(value)
        elif key == "data_type":
            dataset.data_type = s.check_data_type(value)
        elif key == "metadata":
            dataset.metadata_ = value or {}
        elif key in ("description", "readme"):
            setattr(dataset, key, value or "")
        elif key in ("public", "archived"):
            setattr(dataset, key, bool(value))
        elif key in s.OPTION_DEFAULTS:
            options[key] = value
    dataset.options = options


def _owner_for_create(session: Session, user: Account, organization: str | None) -> Account:
    if organization is None:
        return user
    return org_access(session, user, organization, "manager").organization


def _ensure_free_name(session: Session, owner: Account, name: str) -> None:
    exists = session.scalar(select(Dataset.id).where(Dataset.owner_id == owner.id, Dataset.name == name))
    if exists is not None:
        raise AlreadyExists(f"Dataset with this name already exists: {owner.username}/{name}.", field="name")


def _flush_unique(session: Session, owner: Account, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        if violated_constraint(exc) == "uq_datasets_owner_id_name":
            raise AlreadyExists(f"Dataset with this name already exists: {owner.username}/{name}.",
                                field="name") from None
        raise


def create_dataset(session: Session, user: Account, body: s.DatasetCreate, organization: str | None) -> Dataset:
    owner = _owner_for_create(session, user, organization)
    s.check_name(body.name)
    fields = body.model_dump(exclude_unset=True, exclude={"name"})
    fields = {k: v for k, v in fields.items() if v is not None or k == "region_of_interest"}
    fields.setdefault("task_type", "segmentation-bitmap")
    fields.setdefault("task_attributes", s.DEFAULT_TASK_ATTRIBUTES)
    now = now_iso()
    dataset = Dataset(owner_id=owner.id, name=body.name, description="", category="other", public=False,
                      archived=False, task_type="segmentation-bitmap", data_type="IMAGE", readme="",
                      metadata_={}, options={}, created_by_id=user.id, created_at=now, updated_at=now)
    _apply_fields(dataset, fields)
    _ensure_free_name(session, owner, body.name)
    with write_transaction(session):
        session.add(dataset)
        _flush_unique(session, owner, body.name)
        session.add(Labelset(dataset_id=dataset.id, name=GROUND_TRUTH, description="", is_groundtruth=True,
                             created_at=now))
    session.refresh(dataset)
    return dataset


def update_dataset(session: Session, acc: DatasetAccess, body: s.DatasetUpdate) -> Dataset:
    fields = body.model_dump(exclude_unset=True)
    fields = {k: v for k, v in fields.items() if v is not None or k == "region_of_interest"}
    dataset = acc.dataset
    with write_transaction(session):  # the checks of _apply_fields are CPU only: no reads under the lock
        _apply_fields(dataset, fields)
        dataset.updated_at = now_iso()
    session.refresh(dataset)
    return dataset


def delete_dataset(session: Session, acc: DatasetAccess, on_commit: Callable[[], None] | None = None) -> None:
    """Delete the dataset with everything in it (rows cascade) and, in the same transaction, enqueue the removal of
    its release files from the object store (``storage.cleanup``: a job, retried, after the commit). A release
    still building notices its row is gone and removes what it wrote."""
    with write_transaction(session):  # the file keys are read in it: no release added meanwhile is missed
        file_keys = list(session.scalars(select(Release.file_key).where(Release.dataset_id == acc.dataset.id)))
        delete_snapshot_rows(session, "release_id IN (SELECT id FROM releases WHERE dataset_id = ?)", acc.dataset.id)
        session.delete(acc.dataset)
        enqueue_file_deletion(session, file_keys, on_commit=on_commit)


def clone_dataset(session: Session, acc: DatasetAccess, body: s.DatasetClone) -> Dataset:
    src = acc.dataset
    user = acc.user
    owner = _owner_for_create(session, user, body.owner) if body.owner and body.owner != user.username else user
    name = s.check_name(body.name or f"{src.name}-clone")
    _ensure_free_name(session, owner, name)
    now = now_iso()
    clone = Dataset(
        owner_id=owner.id, name=name, description=src.description, category=src.category,
        public=bool(body.public) if body.public is not None else False, archived=False,
        task_type=s.check_task_type(body.task_type) if body.task_type else src.task_type,
        data_type=src.data_type, task_attributes=src.task_attributes, readme=src.readme,
        metadata_=src.metadata_, options=src.options, cloned_from=f"{src.owner.username}/{src.name}",
        created_by_id=user.id, created_at=now, updated_at=now,
    )
    source_labelsets = list(src.labelsets)
    with write_transaction(session):
        session.add(clone)
        _flush_unique(session, owner, name)
        labelset_ids: dict[int, int] = {}
        for ls in source_labelsets:
            new_ls = Labelset(dataset_id=clone.id, name=ls.name, description=ls.description,
                              is_groundtruth=ls.is_groundtruth, attributes=ls.attributes, created_at=now)
            session.add(new_ls)
            session.flush()
            labelset_ids[ls.id] = new_ls.id
        _copy_samples(session, src.id, clone.id, labelset_ids if body.clone_labels else None, user.id, now)
    session.refresh(clone)
    return clone


def _copy_samples(session: Session, src_id: int, dst_id: int, labelset_ids: dict[int, int] | None,
                  user_id: int, now: str) -> None:
    """Copy samples (and optionally labels) in batches with Core statements; JSON text is copied verbatim."""
    st = cast(Table, Sample.__table__)
    lt = cast(Table, Label.__table__)
    last_id = 0
    while True:
        rows = session.execute(
            select(st.c.id, st.c.name, st.c.attributes, st.c.metadata, st.c.priority, st.c.readme,
                   st.c.embedding).where(st.c.dataset_id == src_id, st.c.id > last_id).order_by(st.c.id).limit(2000)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        # One multi-row INSERT per batch (executemany), then one SELECT mapping the new uuids to their ids.
        uuids = new_uuids(len(rows))
        session.execute(st.insert(), [
            {"uuid": u, "dataset_id": dst_id, "name": r.name, "attributes": r.attributes, "metadata": r.metadata,
             "priority": r.priority, "readme": r.readme, "embedding": r.embedding, "created_by_id": user_id,
             "created_at": now, "updated_at": now} for u, r in zip(uuids, rows, strict=True)])
        new_ids: dict[str, int] = {}
        for start in range(0, len(uuids), 500):
            new_ids.update(session.execute(select(st.c.uuid, st.c.id).where(
                st.c.dataset_id == dst_id, st.c.uuid.in_(uuids[start:start + 500]))).tuples().all())
        id_map = {r.id: new_ids[u] for u, r in zip(uuids, rows, strict=True)}
        if labelset_ids:
            labels = session.execute(select(lt).where(lt.c.sample_id.in_(list(id_map)))).mappings().all()
            if labels:
                copies = [{**{k: v for k, v in lab.items() if k != "id"}, "sample_id": id_map[lab["sample_id"]],
                           "labelset_id": labelset_ids[lab["labelset_id"]], "dataset_id": dst_id}
                          for lab in labels if lab["labelset_id"] in labelset_ids]
                session.execute(lt.insert(), copies)
                # The copies start their own history (labels/history.py): revision 1, by whoever cloned.
                record_created(session, dst_id, [
                    (c["sample_id"], c["labelset_id"], c["label_status"],
                     None if c["attributes"] is None else orjson.dumps(c["attributes"]).decode(), c["score"],
                     user_id, now) for c in copies])


# ---------------------------------------------------------------------------------------------- collaborators
def collaborator_public(collab: Collaborator) -> dict[str, Any]:
    return {"user": user_public(collab.user), "role": collab.role}


def _check_role(role: str) -> str:
    if role not in COLLABORATOR_ROLES:
        raise Invalid(f"role '{role}' is not valid; expected one of: {', '.join(COLLABORATOR_ROLES)}.", field="role")
    return role


def get_collaborator(session: Session, dataset: Dataset, username: str) -> Collaborator:
    collab = session.scalars(
        select(Collaborator).join(Account, Account.id == Collaborator.user_id)
        .where(Collaborator.dataset_id == dataset.id, Account.username == username)
    ).first()
    if collab is None:
        raise NotFound(f"Collaborator '{username}' not found on this dataset.")
    return collab


def add_collaborator(session: Session, acc: DatasetAccess, username: str, role: str) -> Collaborator:
    _check_role(role)
    user = get_account(session, username)
    if user.is_organization or user.id == acc.dataset.owner_id:
        raise CollaboratorInvalid(f"User '{username}' cannot be added as collaborator to this dataset.", field="user")
    existing = session.scalar(select(Collaborator.id).where(Collaborator.dataset_id == acc.dataset.id,
                                                            Collaborator.user_id == user.id))
    if existing is not None:
        raise CollaboratorInvalid(f"User '{username}' is already a collaborator on this dataset.", field="user")
    collab = Collaborator(dataset_id=acc.dataset.id, user_id=user.id, role=role, created_at=now_iso())
    with write_transaction(session):
        session.add(collab)
    session.refresh(collab)
    return collab


def update_collaborator(session: Session, acc: DatasetAccess, username: str, role: str) -> Collaborator:
    _check_role(role)
    collab = get_collaborator(session, acc.dataset, username)
    with write_transaction(session):
        collab.role = role
    return collab


def delete_collaborator(session: Session, acc: DatasetAccess, username: str) -> None:
    collab = get_collaborator(session, acc.dataset, username)
    with write_transaction(session):
        session.delete(collab)


# ---------------------------------------------------------------------------------------------------- labelsets
def get_labelset(session: Session, dataset: Dataset, name: str) -> Labelset:
    ls = session.scalars(select(Labelset).where(Labelset.dataset_id == dataset.id, Labelset.name == name)).first()
    if ls is None:
        raise NotFound(f"Labelset '{name}' not found.")
    return ls


def add_labelset(session: Session, acc: DatasetAccess, body: s.LabelsetCreate) -> Labelset:
    s.check_name(body.name)
    if session.scalar(select(Labelset.id).where(Labelset.dataset_id == acc.dataset.id,
                                                Labelset.name == body.name)) is not None:
        raise AlreadyExists(f"Labelset with this name already exists: {body.name}.", field="name")
    attributes = body.attributes
    if isinstance(attributes, str):
        try:
            attributes = orjson.loads(attributes) if attributes.strip() else {}
        except orjson.JSONDecodeError:
            raise Invalid("attributes must be a JSON object (or a string holding one).", field="attributes") from None
        if not isinstance(attributes, dict):
            raise Invalid("attributes must be a JSON object (or a string holding one).", field="attributes")
    ls = Labelset(dataset_id=acc.dataset.id, name=body.name, description=body.description or "",
                  is_groundtruth=False, attributes=attributes, created_at=now_iso())
    with write_transaction(session):
        session.add(ls)
    return ls


def delete_labelset(session: Session, acc: DatasetAccess, name: str) -> None:
    ls = get_labelset(session, acc.dataset, name)
    if ls.is_groundtruth:
        raise Invalid("The ground-truth labelset cannot be deleted.", field="name")
    with write_transaction(session):
        session.execute(delete(Label).where(Label.labelset_id == ls.id))
        session.delete(ls)


def role_of(session: Session, user: Account, dataset: Dataset) -> str | None:
    return effective_role(session, user, dataset)


def roles_of(session: Session, user: Account, datasets: list[Dataset]) -> dict[int, str | None]:
    return effective_roles(session, user, datasets)
