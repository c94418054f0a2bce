"""samples: indexes for sorting by update time and for deleting samples that have workunits

Revision ID: 0002_samples
Revises: 0001
"""

from alembic import op

revision = "0002_samples"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ``sort=updated_at`` walks this index; listing stays index-only however large the dataset.
    op.create_index("ix_samples_dataset_updated", "samples", ["dataset_id", "updated_at", "id"])
    # ``workunits.sample_id`` is ON DELETE SET NULL: without an index every deleted sample scans all workunits.
    op.create_index("ix_workunits_sample_id", "workunits", ["sample_id"])


def downgrade() -> None:
    op.drop_index("ix_workunits_sample_id", table_name="workunits")
    op.drop_index("ix_samples_dataset_updated", table_name="samples")
