"""Test data for the Labelbox project services: an organization with a manager and a labeler, a dataset with
samples, made straight through our services and ORM on the test's database."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from labelhouse_server.catalog.orgs import OrgScope, scope_for
from labelhouse_server.db import Account, Dataset, Labelset, Sample
from labelhouse_server.timeutil import now_iso
from labelhouse_server.users.service import create_organization, create_user, set_member
from sqlalchemy.orm import Session

_names = itertools.count()


@dataclass
class Org:
    account: Account
    manager: OrgScope
    labeler: OrgScope


def make_org(session: Session) -> Org:
    n = next(_names)
    admin = create_user(session, f"admin{n}-{uuid.uuid4().hex[:6]}")
    labeler = create_user(session, f"labeler{n}-{uuid.uuid4().hex[:6]}")
    org = create_organization(session, f"org{n}-{uuid.uuid4().hex[:6]}", admin)
    set_member(session, org, labeler, "labeler")
    session.commit()
    return Org(org, scope_for(session, admin), scope_for(session, labeler))


def make_dataset(session: Session, owner: Account, n_samples: int) -> tuple[Dataset, list[int]]:
    now = now_iso()
    dataset = Dataset(owner_id=owner.id, name=f"ds-{uuid.uuid4().hex[:8]}", task_type="vector", created_at=now,
                      updated_at=now, metadata_={}, options={})
    session.add(dataset)
    session.flush()
    session.add(Labelset(dataset_id=dataset.id, name="ground-truth", is_groundtruth=True, created_at=now))
    samples = [Sample(uuid=str(uuid.uuid4()), dataset_id=dataset.id, name=f"s{i}.jpg",
                      attributes={"image": {"url": f"https://example.com/{i}.jpg"}}, created_at=now, updated_at=now)
               for i in range(n_samples)]
    session.add_all(samples)
    session.commit()
    return dataset, [s.id for s in samples]
