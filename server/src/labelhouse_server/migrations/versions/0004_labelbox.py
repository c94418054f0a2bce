"""labelbox catalog: data_rows (global key, external id), attachments, metadata values and schemas, tasks;
datasets.display_name

Revision ID: 0004_labelbox
Revises: 0005_release_digests
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_labelbox"
down_revision = "0005_release_digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=255), nullable=True))
    op.create_table(
        "data_rows",
        sa.Column("sample_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("global_key", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=1024), nullable=True),
        sa.Column("media_type", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["accounts.id"], name=op.f("fk_data_rows_org_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], name=op.f("fk_data_rows_sample_id_samples"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sample_id", name=op.f("pk_data_rows")),
        sa.UniqueConstraint("org_id", "global_key", name=op.f("uq_data_rows_org_id_global_key")),
    )
    op.create_index("ix_data_rows_org_external", "data_rows", ["org_id", "external_id"], unique=False)
    op.create_table(
        "data_row_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"],
                                name=op.f("fk_data_row_attachments_sample_id_samples"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_row_attachments")),
    )
    op.create_index(op.f("ix_data_row_attachments_sample_id"), "data_row_attachments", ["sample_id"], unique=False)
    op.create_table(
        "data_row_metadata",
        sa.Column("sample_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("schema_id", sa.String(length=25), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], name=op.f("fk_data_row_metadata_sample_id_samples"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sample_id", "schema_id", name=op.f("pk_data_row_metadata")),
    )
    op.create_table(
        "metadata_schemas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["accounts.id"], name=op.f("fk_metadata_schemas_org_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata_schemas")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_metadata_schemas_org_id_name")),
    )
    op.create_table(
        "metadata_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["schema_id"], ["metadata_schemas.id"],
                                name=op.f("fk_metadata_options_schema_id_metadata_schemas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata_options")),
        sa.UniqueConstraint("schema_id", "name", name=op.f("uq_metadata_options_schema_id_name")),
    )
    op.create_table(
        "lb_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completion_percentage", sa.Float(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["accounts.id"], name=op.f("fk_lb_tasks_created_by_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_lb_tasks_job_id_jobs"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["accounts.id"], name=op.f("fk_lb_tasks_org_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lb_tasks")),
    )
    op.create_index("ix_lb_tasks_created_by", "lb_tasks", ["created_by_id", "id"], unique=False)
    op.create_index(op.f("ix_lb_tasks_org_id"), "lb_tasks", ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("lb_tasks")
    op.drop_table("metadata_options")
    op.drop_table("metadata_schemas")
    op.drop_table("data_row_metadata")
    op.drop_table("data_row_attachments")
    op.drop_table("data_rows")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("display_name")
