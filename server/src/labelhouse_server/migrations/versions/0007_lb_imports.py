"""Labelbox annotation imports (LabelImport, MALPredictionImport) and label feedback

Revision ID: 0007_lb_imports
Revises: 0006_lb_models
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_lb_imports"
down_revision = "0006_lb_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotation_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total_lines", sa.Integer(), nullable=False),
        sa.Column("done_lines", sa.Integer(), nullable=False),
        sa.Column("failed_lines", sa.Integer(), nullable=False),
        sa.Column("input_key", sa.String(length=512), nullable=True),
        sa.Column("status_key", sa.String(length=512), nullable=True),
        sa.Column("error_key", sa.String(length=512), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["accounts.id"],
                                name=op.f("fk_annotation_imports_created_by_id_accounts"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_annotation_imports_project_id_projects"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_imports")),
        sa.UniqueConstraint("project_id", "kind", "name", name=op.f("uq_annotation_imports_project_id_kind_name")),
    )
    op.create_table(
        "label_feedback",
        sa.Column("label_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_label_feedback_label_id_labels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["accounts.id"],
                                name=op.f("fk_label_feedback_updated_by_id_accounts"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("label_id", name=op.f("pk_label_feedback")),
    )


def downgrade() -> None:
    op.drop_table("label_feedback")
    op.drop_table("annotation_imports")
