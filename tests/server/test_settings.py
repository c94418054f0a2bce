"""Settings are typed and checked when they are built: backends are one of their names, secrets never show in a
repr or a log line, and a wrong value stops every command with a message naming the environment variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from labelhouse_server.db.engine import engine_for
from labelhouse_server.settings import Settings, describe_invalid_settings
from pydantic import ValidationError
from support import PG_URL_ENV, backends


def test_backends_are_names_from_a_fixed_list_in_any_case() -> None:
    settings = Settings(storage_backend="S3", jobs_backend=" Worker ")
    assert (settings.storage_backend, settings.jobs_backend) == ("s3", "worker")
    with pytest.raises(ValidationError) as caught:
        Settings(storage_backend="gcs", jobs_backend="celery")
    message = describe_invalid_settings(caught.value)
    assert "LABELHOUSE_STORAGE_BACKEND: Input should be 'local' or 's3' (got 'gcs')" in message
    assert "LABELHOUSE_JOBS_BACKEND: Input should be 'inprocess' or 'worker' (got 'celery')" in message


def test_the_s3_secret_is_never_shown() -> None:
    settings = Settings(s3_secret_access_key="hunter2")
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())
    assert settings.s3_secret_access_key is not None
    assert settings.s3_secret_access_key.get_secret_value() == "hunter2"
    with pytest.raises(ValidationError) as caught:
        Settings(s3_secret_access_key="hunter2", job_max_attempts=0)
    assert "hunter2" not in describe_invalid_settings(caught.value)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("database_url", "mysql://db/x", "'mysql' is not supported"),
    ("database_url", "not a url", "not a database URL"),
    ("public_url", "labels.example.com", "an http:// or https:// URL is required"),
    ("job_stale_seconds", "0", "greater than 0"),
    ("db_pool_size", "0", "greater than or equal to 1"),
    ("db_max_overflow", "-1", "greater than or equal to 0"),
])
def test_wrong_values_are_named(field: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(**{field: value})
    assert f"LABELHOUSE_{field.upper()}: " in describe_invalid_settings(caught.value)
    assert says in describe_invalid_settings(caught.value)


def test_a_command_with_a_wrong_setting_stops_with_the_message_and_no_traceback(tmp_path) -> None:
    env = {**os.environ, "LABELHOUSE_STORAGE_BACKEND": "gcs", "LABELHOUSE_S3_SECRET_ACCESS_KEY": "hunter2"}
    out = subprocess.run([sys.executable, "-m", "labelhouse_server.cli", "migrate", "--data-dir", str(tmp_path)],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "labelhouse: invalid settings:", "  LABELHOUSE_STORAGE_BACKEND: Input should be 'local' or 's3' (got 'gcs')"]
    assert not list(tmp_path.iterdir())  # nothing was created


@pytest.mark.parametrize("backend", backends())
def test_the_postgresql_pool_is_sized_by_settings(backend: str, tmp_path, monkeypatch) -> None:
    """LABELHOUSE_DB_POOL_SIZE / _MAX_OVERFLOW size each process's PostgreSQL pool (docs/scaling.md: keep the sum
    over processes under max_connections); SQLite's pool is fixed."""
    monkeypatch.setenv("LABELHOUSE_DB_POOL_SIZE", "3")
    monkeypatch.setenv("LABELHOUSE_DB_MAX_OVERFLOW", "1")
    url = os.environ[PG_URL_ENV] if backend == "postgresql" else f"sqlite:///{tmp_path}/pool.sqlite3"
    engine = engine_for(Settings(database_url=url, data_dir=tmp_path))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        pool = engine.pool
        if backend == "postgresql":
            assert (pool.size(), pool._max_overflow) == (3, 1)  # type: ignore[attr-defined]
        else:
            assert pool.size() == 8  # type: ignore[attr-defined]
    finally:
        engine.dispose()
