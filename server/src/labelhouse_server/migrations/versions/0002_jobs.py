"""releases: snapshot tables (release_samples, release_labels) copied when a release is created

Revision ID: 0002_jobs
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_jobs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_samples",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], name=op.f("fk_release_samples_release_id_releases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "sample_id", name=op.f("pk_release_samples")),
    )
    op.create_table(
        "release_labels",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("labelset_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("label_status", sa.String(length=32), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=150), nullable=True),
        sa.Column("updated_by", sa.String(length=150), nullable=True),
        sa.Column("reviewed_by", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"], name=op.f("fk_release_labels_release_id_releases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "sample_id", "labelset_id", name=op.f("pk_release_labels")),
    )


def downgrade() -> None:
    op.drop_table("release_labels")
    op.drop_table("release_samples")
