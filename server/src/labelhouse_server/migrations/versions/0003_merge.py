"""merge the samples-index and jobs/release-snapshot branches

Revision ID: 0003_merge
Revises: 0002_jobs, 0002_samples
"""

revision = "0003_merge"
down_revision = ("0002_jobs", "0002_samples")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
