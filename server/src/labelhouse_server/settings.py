"""Settings, read from ``LABELHOUSE_*`` environment variables (or passed explicitly to ``create_app``).

The defaults give a working single-user install: SQLite and local files under ``data_dir``,
background jobs in the server process.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABELHOUSE_", extra="ignore")

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
    storage_backend: str = Field(default="local", description="'local' (files under data_dir) or 's3'.")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, moto, AWS).")
    s3_bucket: str = Field(default="labelhouse", description="Bucket for assets and release files.")
    s3_region: str = Field(default="us-east-1", description="Region used for signing.")
    s3_access_key_id: str | None = Field(default=None, description="Access key; default: boto3's chain.")
    s3_secret_access_key: str | None = Field(default=None, description="Secret key; default: boto3's chain.")
    s3_public_url: str | None = Field(
        default=None, description="Public base URL of the bucket for GETs (default: endpoint/bucket)."
    )
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, description="Largest accepted asset upload.")

    # --- jobs --------------------------------------------------------------------------------------
    jobs_backend: str = Field(
        default="inprocess",
        description="'inprocess' (threads inside the server, embedded default) or 'worker' (separate "
        "`labelhouse worker` processes poll the database).",
    )
    job_heartbeat_seconds: float = Field(default=2.0, description="How often a running job proves it lives.")
    job_stale_seconds: float = Field(default=30.0, description="A running job silent this long is reaped.")
    job_max_attempts: int = Field(default=3, description="Attempts before a job is failed for good.")

    # --- embeddings --------------------------------------------------------------------------------
    embedding_index_min_pending: int = Field(
        default=2000,
        description="Vectors written since an embedding's last index build that trigger a rebuild (or 10 % of "
        "the indexed count, whichever is larger). Below it, new vectors are searched exactly.",
    )
    embedding_index_threads: int = Field(default=2, description="Threads an index build uses.")

    # --- serving ---------------------------------------------------------------------------------
    fast_lane: bool = Field(
        default=True,
        description="Serve the hottest single-item endpoints (GET/PUT of a label, GET of a sample) without "
        "FastAPI's per-request machinery (same responses; off: every request goes through FastAPI).",
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

    # --- auth --------------------------------------------------------------------------------------
    bootstrap_admin: bool = Field(
        default=True, description="On an empty database, `serve` creates user 'admin' and prints its key."
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'labelhouse.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
