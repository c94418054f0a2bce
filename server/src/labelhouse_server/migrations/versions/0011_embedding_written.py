"""embeddings.vectors_written / index_written: vectors written since the last index build, as two counters (a
write no longer counts the pending rows to decide whether a rebuild is due: embeddings/service.py)

Revision ID: 0011_embedding_written
Revises: 0010_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_embedding_written"
down_revision = "0010_rate_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("embeddings") as batch:
        batch.add_column(sa.Column("vectors_written", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("index_written", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("embeddings") as batch:
        batch.drop_column("index_written")
        batch.drop_column("vectors_written")
