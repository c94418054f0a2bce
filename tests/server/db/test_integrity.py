"""IntegrityErrors are translated by constraint name on both databases."""

from __future__ import annotations

import pytest
from labelhouse_server.db import Account, Dataset
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.integrity import violated_constraint
from labelhouse_server.db.migrate import upgrade
from sqlalchemy.exc import IntegrityError
from support import backends, fresh_database


@pytest.fixture(params=backends())
def session(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        s = make_sessionmaker(engine)()
        yield s
        s.close()
        engine.dispose()


def test_constraint_names(session):
    session.add(Account(username="a", is_organization=False, is_admin=False, created_at="t"))
    session.commit()
    session.add(Account(username="a", is_organization=False, is_admin=False, created_at="t"))
    with pytest.raises(IntegrityError) as exc:
        session.flush()
    assert violated_constraint(exc.value) == "uq_accounts_username"
    session.rollback()
    owner = session.query(Account).one()
    for _ in range(2):
        session.add(Dataset(owner_id=owner.id, name="d", task_type="vector", created_at="t", updated_at="t",
                            metadata_={}, options={}))
    with pytest.raises(IntegrityError) as exc:
        session.flush()
    assert violated_constraint(exc.value) == "uq_datasets_owner_id_name"
