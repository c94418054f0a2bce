"""rate_buckets: token buckets shared by all API processes (PostgreSQL; ratelimit.py)

Revision ID: 0010_rate_buckets
Revises: 0009_lb_predictions
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_rate_buckets"
down_revision = "0009_lb_predictions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.Column("granted", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
