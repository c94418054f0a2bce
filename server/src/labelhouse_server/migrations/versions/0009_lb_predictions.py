"""Labelbox model-run prediction imports, and the predictions of model-run data rows

Revision ID: 0009_lb_predictions
Revises: 0008_lb_slices
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_lb_predictions"
down_revision = "0008_lb_slices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lb_model_run_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_run_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('total_lines', sa.Integer(), nullable=False),
    sa.Column('failed_lines', sa.Integer(), nullable=False),
    sa.Column('input_key', sa.String(length=512), nullable=True),
    sa.Column('status_key', sa.String(length=512), nullable=True),
    sa.Column('error_key', sa.String(length=512), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lb_model_run_imports_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_run_id'], ['lb_model_runs.id'], name=op.f('fk_lb_model_run_imports_model_run_id_lb_model_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_model_run_imports')),
    sa.UniqueConstraint('model_run_id', 'name', name=op.f('uq_lb_model_run_imports_model_run_id_name'))
    )
    with op.batch_alter_table('lb_model_run_data_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predictions', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('lb_model_run_data_rows', schema=None) as batch_op:
        batch_op.drop_column('predictions')

    op.drop_table('lb_model_run_imports')
