"""merge the model-run predictions and rate-limit buckets branches (both followed 0008_lb_slices)

Revision ID: 0010_merge
Revises: 0009_lb_predictions, 0009_rate_buckets
"""

revision = "0010_merge"
down_revision = ("0009_lb_predictions", "0009_rate_buckets")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
