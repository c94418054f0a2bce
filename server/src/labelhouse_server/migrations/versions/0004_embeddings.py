"""embeddings: custom embeddings and their vectors (one per sample), with the pointer to the ANN index file

Revision ID: 0004_embeddings
Revises: 0003_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_embeddings"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("vector_seq", sa.BigInteger(), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=False),
        sa.Column("index_key", sa.String(length=1024), nullable=True),
        sa.Column("index_seq", sa.BigInteger(), nullable=False),
        sa.Column("index_count", sa.Integer(), nullable=False),
        sa.Column("index_built_at", sa.String(length=32), nullable=True),
        sa.Column("index_job_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["accounts.id"], name=op.f("fk_embeddings_owner_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["index_job_id"], ["jobs.id"], name=op.f("fk_embeddings_index_job_id_jobs"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["accounts.id"], name=op.f("fk_embeddings_created_by_id_accounts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_embeddings_owner_id_name")),
    )
    op.create_index(op.f("ix_embeddings_owner_id"), "embeddings", ["owner_id"], unique=False)
    op.create_table(
        "embedding_vectors",
        sa.Column("embedding_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["embedding_id"], ["embeddings.id"],
                                name=op.f("fk_embedding_vectors_embedding_id_embeddings"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], name=op.f("fk_embedding_vectors_sample_id_samples"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"],
                                name=op.f("fk_embedding_vectors_dataset_id_datasets"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("embedding_id", "sample_id", name=op.f("pk_embedding_vectors")),
    )
    op.create_index("ix_embedding_vectors_embedding_id_seq", "embedding_vectors", ["embedding_id", "seq"])
    op.create_index("ix_embedding_vectors_embedding_id_dataset_id", "embedding_vectors",
                    ["embedding_id", "dataset_id"])
    op.create_index("ix_embedding_vectors_sample_id", "embedding_vectors", ["sample_id"])


def downgrade() -> None:
    op.drop_table("embedding_vectors")
    op.drop_index(op.f("ix_embeddings_owner_id"), table_name="embeddings")
    op.drop_table("embeddings")
