"""Database errors are classified by error code and exception class (``errors.py``), never by message text: a
text value PostgreSQL cannot hold (a NUL character) is the client's error (400), on both databases."""

from __future__ import annotations

import pytest
from labelhouse_server.db.engine import make_engine
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.errors import is_lock_timeout, is_unstorable_text
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from support import backends, fresh_database, unique


def test_nul_in_a_text_field_is_a_client_error_or_stored_exactly(app):
    username, key = app.create_user()
    name = unique("nul")
    with app.client(key) as http:
        r = http.post("/user/datasets/", json={"name": name, "task_type": "vector", "description": "a\u0000b"})
        if app.backend == "postgresql":  # PostgreSQL text cannot hold NUL: the request is refused, not a 500
            assert r.status_code == 400, r.text
            assert r.json()["code"] == "invalid"
            assert "NUL" in r.json()["detail"]
            assert http.get(f"/datasets/{username}/{name}/").status_code == 404  # nothing was written
        else:  # SQLite stores it as given
            assert r.status_code == 201, r.text
            assert http.get(f"/datasets/{r.json()['full_name']}/").json()["description"] == "a\u0000b"
        # JSON text (metadata) carries NUL escaped, which every database holds
        r = http.post("/user/datasets/", json={"name": unique("nulmeta"), "task_type": "vector",
                                               "metadata": {"k": "a\u0000b"}})
        assert r.status_code == 201, r.text
        assert http.get(f"/datasets/{r.json()['full_name']}/").json()["metadata"] == {"k": "a\u0000b"}


@pytest.mark.parametrize("backend", backends())
def test_driver_errors_are_classified_by_code(backend, tmp_path):
    """The classifiers on real driver errors of each database (no message text involved)."""
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                if backend == "postgresql":
                    for sql, param in (("SELECT CAST(:v AS text)", "a\x00b"),
                                       ("SELECT CAST(:v AS jsonb)", '"a\\u0000b"')):
                        with pytest.raises(DBAPIError) as exc:
                            conn.execute(text(sql), {"v": param})
                        assert is_unstorable_text(exc.value)
                        assert not is_lock_timeout(exc.value.orig)
                        conn.rollback()
                    conn.execute(text("SET lock_timeout = '10ms'"))
                else:
                    assert conn.execute(text("SELECT :v"), {"v": "a\x00b"}).scalar() == "a\x00b"
                # other errors are neither
                with pytest.raises(DBAPIError) as exc:
                    conn.execute(text("SELECT * FROM no_such_table"))
                assert not is_unstorable_text(exc.value)
                assert not is_lock_timeout(exc.value.orig)
        finally:
            engine.dispose()
