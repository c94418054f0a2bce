"""release diffs: per-release digests of samples and labels (release_sample_digests, release_label_digests)

Revision ID: 0005_release_digests
Revises: 0004_label_history
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_release_digests"
down_revision = "0004_label_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_sample_digests",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"],
                                name=op.f("fk_release_sample_digests_release_id_releases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "sample_id", name=op.f("pk_release_sample_digests")),
    )
    op.create_table(
        "release_label_digests",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("labelset", sa.String(length=150), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("attributes_hash", sa.LargeBinary(length=16), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"],
                                name=op.f("fk_release_label_digests_release_id_releases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "sample_id", "labelset", name=op.f("pk_release_label_digests")),
    )


def downgrade() -> None:
    op.drop_table("release_label_digests")
    op.drop_table("release_sample_digests")
