"""release_samples / release_labels: no foreign key to releases. The snapshot rows are written once and removed by
their build (or with their release or dataset, explicitly: releases/service.py, datasets/service.py, the build job
for a release deleted meanwhile); on PostgreSQL the key's trigger cost half of a snapshot's time (a ``FOR KEY
SHARE`` lookup of the release per copied row: bench/RESULTS.md, issue 16 sessions 8 and 9). SQLite no longer
fills these tables (its snapshot is a file: releases/snapshot.py), except for releases created before that.

Revision ID: 0012_snapshot_no_fk
Revises: 0011_embedding_written
"""

from alembic import op

revision = "0012_snapshot_no_fk"
down_revision = "0011_embedding_written"
branch_labels = None
depends_on = None

_TABLES = ("release_samples", "release_labels")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_release_id_releases", type_="foreignkey")


def downgrade() -> None:
    for table in _TABLES:
        op.execute(f"DELETE FROM {table} WHERE release_id NOT IN (SELECT id FROM releases)")
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f"fk_{table}_release_id_releases", "releases", ["release_id"], ["id"],
                                     ondelete="CASCADE")
