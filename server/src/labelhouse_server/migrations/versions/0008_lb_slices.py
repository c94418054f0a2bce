"""Labelbox catalog slices (saved catalog queries)

Revision ID: 0008_lb_slices
Revises: 0007_lb_imports
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_lb_slices"
down_revision = "0007_lb_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lb_catalog_slices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('filter', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lb_catalog_slices_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['accounts.id'], name=op.f('fk_lb_catalog_slices_organization_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_catalog_slices')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_lb_catalog_slices_organization_id_name'))
    )


def downgrade() -> None:
    op.drop_table('lb_catalog_slices')
