"""A fresh migrated database per test (SQLite; PostgreSQL too when configured) and an organization with a
manager and a labeler, a dataset and samples, made straight through our services and ORM."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

import pytest
from labelhouse_server.catalog.orgs import OrgScope, scope_for
from labelhouse_server.db import Account, Dataset, Labelset, Sample
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.timeutil import now_iso
from labelhouse_server.users.service import create_organization, create_user, set_member
from sqlalchemy.orm import Session
from support import backends, fresh_database

_names = itertools.count()


@pytest.fixture(scope="module", params=backends())
def sessions(request, tmp_path_factory):
    """One migrated database per module and backend; tests isolate themselves with organizations of their own."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        engine = make_engine(url)
        yield make_sessionmaker(engine)
        engine.dispose()


@pytest.fixture
def session(sessions):
    s = sessions()
    yield s
    s.close()


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


@pytest.fixture
def org(session) -> Org:
    return make_org(session)


@pytest.fixture
def other_org(session) -> Org:
    return make_org(session)
