"""Settings, read from ``LABELHOUSE_*`` environment variables (or passed explicitly to ``create_app``).

The defaults give a working single-user install: SQLite and local files under ``data_dir``,
background jobs in the server process. Every value is checked when the settings are built (at start-up of every
command): a wrong one stops the process with :func:`describe_invalid_settings`'s message naming the variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "LABELHOUSE_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # --- where things live -------------------------------------------------------------------------
    data_dir: Path = Field(
        default=Path("labelhouse-data"),
        description="Folder for the SQLite database, local object storage and logs (embedded default).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. Default: SQLite file in data_dir.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL at which clients reach this server; used in links (asset URLs, release files).",
    )

    # --- storage -----------------------------------------------------------------------------------
    storage_backend: Literal["local", "s3"] = Field(
        default="local", description="'local' (files under data_dir) or 's3'.")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, moto, AWS).")
    s3_bucket: str = Field(default="labelhouse", description="Bucket for assets and release files.")
    s3_region: str = Field(default="us-east-1", description="Region used for signing.")
    s3_access_key_id: str | None = Field(default=None, description="Access key; default: boto3's chain.")
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="Secret key; default: boto3's chain. Never printed (shown as '**********').")
    s3_public_url: str | None = Field(
        default=None, description="Public base URL of the bucket for GETs (default: endpoint/bucket)."
    )
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0, description="Largest accepted asset upload.")

    # --- jobs --------------------------------------------------------------------------------------
    jobs_backend: Literal["inprocess", "worker"] = Field(
        default="inprocess",
        description="'inprocess' (threads inside the server, embedded default) or 'worker' (separate "
        "`labelhouse worker` processes poll the database).",
    )
    job_heartbeat_seconds: float = Field(default=2.0, gt=0, description="How often a running job proves it lives.")
    job_stale_seconds: float = Field(default=30.0, gt=0, description="A running job silent this long is reaped.")
    job_max_attempts: int = Field(default=3, ge=1, description="Attempts before a job is failed for good.")
    job_retention_hours: float = Field(
        default=168.0, ge=0,
        description="Finished job rows (succeeded or failed) older than this are deleted by the job runner (the "
        "server's in-process runner or `labelhouse worker`); 0 keeps them forever. What a job produced (a "
        "release, an export, a task's status) lives on its own rows and is kept.",
    )
    job_prune_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often a job runner deletes finished job rows past retention.")
    asset_check_interval_seconds: float = Field(
        default=15.0, gt=0,
        description="S3 store: how often a job runner looks for uploads that arrived in the bucket (clients post "
        "them straight to S3) to record their size and `uploaded_at` (assets/sweep.py).")

    # --- embeddings --------------------------------------------------------------------------------
    embedding_index_min_pending: int = Field(
        default=2000,
        description="Vectors written since an embedding's last index build that trigger a rebuild (or 10 % of "
        "the indexed count, whichever is larger). Below it, new vectors are searched exactly.",
    )
    embedding_index_threads: int = Field(default=2, description="Threads an index build uses.")

    # --- serving ---------------------------------------------------------------------------------
    lock_timeout_seconds: float = Field(
        default=30.0, gt=0,
        description="Longest a write waits for a database lock (SQLite: the write lock; PostgreSQL: row and "
        "table locks) before the request answers 503 with Retry-After (nothing is changed; clients retry).",
    )
    db_pool_size: int = Field(
        default=10, ge=1, le=1000,
        description="PostgreSQL: connections each process keeps open (SQLAlchemy pool_size). Every API process "
        "and worker holds up to db_pool_size + db_max_overflow: keep their sum under PostgreSQL's "
        "max_connections, or put PgBouncer in front (docs/scaling.md).",
    )
    db_max_overflow: int = Field(
        default=20, ge=0, le=1000,
        description="PostgreSQL: extra connections a process may open under load, closed when returned.",
    )
    fast_lane: bool = Field(
        default=True,
        description="Serve the hottest single-item endpoints (GET/PUT of a label, GET of a sample, a similarity "
        "search) without FastAPI's per-request machinery (same responses; off: every request goes through FastAPI).",
    )
    listing_json_in_database: bool = Field(
        default=True,
        description="SQLite: sample listings (without full labels) are written as JSON by the database "
        "(samples/pages.py; same responses; off: rows are shaped in Python and dumped with orjson).",
    )

    # --- Labelbox API ----------------------------------------------------------------------------
    labelbox_sync_rows: int = Field(
        default=2_000,
        description="Data-row upserts of at most this many rows finish inside the request (the SDK's first poll "
        "then sees COMPLETE); larger ones run as a background job.",
    )
    labelbox_export_chunk_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1,
        description="Export-v2 results are stored (and served by byte offset) as NDJSON chunks of at most this "
        "many bytes, cut at line ends (a longer line is a chunk of its own).",
    )
    labelbox_export_wait_seconds: float = Field(
        default=1.5, ge=0,
        description="An export mutation waits up to this long for its background job before answering, so a "
        "small export is COMPLETE on the SDK's first read (every poll before that costs the SDK a 2 s sleep).",
    )

    # --- limits (bounded input; every refusal names the limit: see README "Limits") -------------------
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        description="Largest request body, after decompression, of a JSON route (a dataset, sample, label ...).",
    )
    max_bulk_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        description="Largest request body, after decompression, of a bulk route (`samples_bulk`).",
    )
    max_ndjson_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="Largest request body, after decompression, of the Labelbox SDK's NDJSON vector import.",
    )
    max_bulk_items: int = Field(default=10000, description="Most items in one bulk request (counted as it streams).")
    max_json_depth: int = Field(default=64, description="Deepest nesting of arrays/objects in a JSON body.")
    max_json_values: int = Field(
        default=1_000_000,
        description="Most JSON values in one body (counted as commas and brackets while it streams): bounds the "
        "memory a parse can take.",
    )
    max_page: int = Field(default=1_000_000, description="Highest `page` number a listing accepts.")
    max_filters: int = Field(default=100, description="Most metadata filters in one sample listing.")

    # --- rate limits (README "Rate limits"; ratelimit.py) ------------------------------------------------
    rate_limit_enabled: bool = Field(default=True, description="Off: no request is ever rate limited.")
    rate_limit_per_key_per_second: float = Field(default=100.0, description="Refill of each API key's bucket.")
    rate_limit_per_key_burst: float = Field(default=1000.0, description="Size of each API key's bucket.")
    rate_limit_per_ip_per_second: float = Field(default=200.0, description="Refill of each client IP's bucket.")
    rate_limit_per_ip_burst: float = Field(default=2000.0, description="Size of each client IP's bucket.")
    rate_limit_sign_in_failures: int = Field(
        default=10, ge=1, description="Failed sign-ins per (client IP, username) within `rate_limit_sign_in_window` "
        "before attempts answer 429 (4x that per client IP).")
    rate_limit_sign_in_window: float = Field(
        default=600.0, gt=0, description="Seconds in which `rate_limit_sign_in_failures` failures are allowed (the "
        "bucket refills evenly over this window).")
    rate_limit_lease: int = Field(
        default=10, description="PostgreSQL: tokens a process takes from a shared bucket per round trip.")

    # --- auth --------------------------------------------------------------------------------------
    bootstrap_admin: bool = Field(
        default=True, description="On an empty database, `serve` creates user 'admin' and prints its key."
    )

    @field_validator("storage_backend", "jobs_backend", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL; e.g. postgresql+psycopg://user@host/db or sqlite:///path") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"'{url.get_backend_name()}' is not supported; use postgresql+psycopg:// or sqlite://")
        return value

    @field_validator("public_url", "s3_endpoint_url", "s3_public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL is required")
        return value

    def prepare_data_dir(self) -> None:
        """Create ``data_dir``; on SQLite also the database file, readable by its owner only (0600;
        SQLite gives its -wal and -shm files the same mode). Called before anything connects."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        url = self.resolved_database_url()
        if url.startswith("sqlite:///") and ":memory:" not in url:
            path = Path(url[len("sqlite:///"):].split("?", 1)[0])
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # no-op on an existing file

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'labelhouse.sqlite3').resolve()}"


def describe_invalid_settings(error: ValidationError) -> str:
    """One line per wrong setting, named as the user sets it (``LABELHOUSE_STORAGE_BACKEND``)."""
    lines = ["labelhouse: invalid settings:"]
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        value = problem.get("input")
        shown = "" if field.endswith("secret_access_key") or isinstance(value, dict) else f" (got {value!r})"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {ENV_PREFIX}{field.upper()}: {message}{shown}")
    return "\n".join(lines)
