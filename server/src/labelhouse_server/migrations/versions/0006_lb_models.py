"""Labelbox models, model runs (with their data rows), model configs and their project attachments

Revision ID: 0006_lb_models
Revises: 0005_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_lb_models"
down_revision = "0005_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lb_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('ontology_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lb_models_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ontology_id'], ['ontologies.id'], name=op.f('fk_lb_models_ontology_id_ontologies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['accounts.id'], name=op.f('fk_lb_models_organization_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_models')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_lb_models_organization_id_name'))
    )
    with op.batch_alter_table('lb_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lb_models_ontology_id'), ['ontology_id'], unique=False)

    op.create_table('lb_model_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('inference_params', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lb_model_configs_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_id'], ['lb_models.id'], name=op.f('fk_lb_model_configs_model_id_lb_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_model_configs'))
    )
    with op.batch_alter_table('lb_model_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lb_model_configs_model_id'), ['model_id'], unique=False)

    op.create_table('lb_model_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('training_metadata', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('status_metadata', sa.Text(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lb_model_runs_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_id'], ['lb_models.id'], name=op.f('fk_lb_model_runs_model_id_lb_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_model_runs')),
    sa.UniqueConstraint('model_id', 'name', name=op.f('uq_lb_model_runs_model_id_name'))
    )
    op.create_table('lb_model_run_data_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_run_id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=True),
    sa.Column('data_split', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], name=op.f('fk_lb_model_run_data_rows_label_id_labels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_run_id'], ['lb_model_runs.id'], name=op.f('fk_lb_model_run_data_rows_model_run_id_lb_model_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_id'], ['samples.id'], name=op.f('fk_lb_model_run_data_rows_sample_id_samples'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_model_run_data_rows')),
    sa.UniqueConstraint('model_run_id', 'sample_id', name=op.f('uq_lb_model_run_data_rows_model_run_id_sample_id'))
    )
    with op.batch_alter_table('lb_model_run_data_rows', schema=None) as batch_op:
        batch_op.create_index('ix_lb_model_run_data_rows_sample_id', ['sample_id'], unique=False)

    op.create_table('lb_project_model_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('model_config_id', sa.Integer(), nullable=False),
    sa.Column('response_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['model_config_id'], ['lb_model_configs.id'], name=op.f('fk_lb_project_model_configs_model_config_id_lb_model_configs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_lb_project_model_configs_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lb_project_model_configs')),
    sa.UniqueConstraint('project_id', 'model_config_id', name=op.f('uq_lb_project_model_configs_project_id_model_config_id'))
    )
    with op.batch_alter_table('lb_project_model_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lb_project_model_configs_model_config_id'), ['model_config_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lb_project_model_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lb_project_model_configs_model_config_id'))

    op.drop_table('lb_project_model_configs')
    with op.batch_alter_table('lb_model_run_data_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_lb_model_run_data_rows_sample_id')

    op.drop_table('lb_model_run_data_rows')
    op.drop_table('lb_model_runs')
    with op.batch_alter_table('lb_model_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lb_model_configs_model_id'))

    op.drop_table('lb_model_configs')
    with op.batch_alter_table('lb_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lb_models_ontology_id'))

    op.drop_table('lb_models')
