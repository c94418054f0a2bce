"""Labelbox ontologies, feature schemas, projects, task queues, batches and the project labelsets

Revision ID: 0005_lb_projects
Revises: 0004_labelbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lb_projects"
down_revision = "0004_labelbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feature_schemas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('normalized', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_feature_schemas_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['accounts.id'], name=op.f('fk_feature_schemas_organization_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feature_schemas'))
    )
    with op.batch_alter_table('feature_schemas', schema=None) as batch_op:
        batch_op.create_index('ix_feature_schemas_organization_name', ['organization_id', 'name'], unique=False)

    op.create_table('ontologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('media_type', sa.String(length=32), nullable=True),
    sa.Column('editor_task_type', sa.String(length=64), nullable=True),
    sa.Column('relationships', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_ontologies_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['accounts.id'], name=op.f('fk_ontologies_organization_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ontologies'))
    )
    with op.batch_alter_table('ontologies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ontologies_organization_id'), ['organization_id'], unique=False)

    op.create_table('ontology_features',
    sa.Column('ontology_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('feature_schema_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['feature_schema_id'], ['feature_schemas.id'], name=op.f('fk_ontology_features_feature_schema_id_feature_schemas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ontology_id'], ['ontologies.id'], name=op.f('fk_ontology_features_ontology_id_ontologies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ontology_id', 'feature_schema_id', name=op.f('pk_ontology_features'))
    )
    with op.batch_alter_table('ontology_features', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ontology_features_feature_schema_id'), ['feature_schema_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('media_type', sa.String(length=32), nullable=True),
    sa.Column('editor_task_type', sa.String(length=64), nullable=True),
    sa.Column('upload_type', sa.String(length=16), nullable=True),
    sa.Column('auto_audit_number_of_labels', sa.Integer(), nullable=True),
    sa.Column('auto_audit_percentage', sa.Float(), nullable=True),
    sa.Column('is_benchmark_enabled', sa.Boolean(), nullable=False),
    sa.Column('is_consensus_enabled', sa.Boolean(), nullable=False),
    sa.Column('ontology_id', sa.Integer(), nullable=True),
    sa.Column('labeling_frontend_id', sa.String(length=25), nullable=True),
    sa.Column('frontend_options', sa.Text(), nullable=True),
    sa.Column('setup_complete', sa.String(length=32), nullable=True),
    sa.Column('model_setup_complete', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('last_activity_time', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_projects_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ontology_id'], ['ontologies.id'], name=op.f('fk_projects_ontology_id_ontologies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['accounts.id'], name=op.f('fk_projects_organization_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_ontology_id'), ['ontology_id'], unique=False)
        batch_op.create_index('ix_projects_organization_created', ['organization_id', 'created_at'], unique=False)

    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('consensus_settings', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_batches_created_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_batches_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_batches_project_id_name'))
    )
    op.create_table('project_labelsets',
    sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('dataset_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('labelset_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_project_labelsets_dataset_id_datasets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['labelset_id'], ['labelsets.id'], name=op.f('fk_project_labelsets_labelset_id_labelsets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_labelsets_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'dataset_id', name=op.f('pk_project_labelsets')),
    sa.UniqueConstraint('labelset_id', name=op.f('uq_project_labelsets_labelset_id'))
    )
    op.create_table('task_queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('queue_type', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_task_queues_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_queues'))
    )
    with op.batch_alter_table('task_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_queues_project_id'), ['project_id'], unique=False)

    op.create_table('project_data_rows',
    sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sample_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('task_queue_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_project_data_rows_batch_id_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_data_rows_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_id'], ['samples.id'], name=op.f('fk_project_data_rows_sample_id_samples'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_queue_id'], ['task_queues.id'], name=op.f('fk_project_data_rows_task_queue_id_task_queues'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('project_id', 'sample_id', name=op.f('pk_project_data_rows'))
    )
    with op.batch_alter_table('project_data_rows', schema=None) as batch_op:
        batch_op.create_index('ix_project_data_rows_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('ix_project_data_rows_project_queue', ['project_id', 'task_queue_id'], unique=False)
        batch_op.create_index('ix_project_data_rows_sample_id', ['sample_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('project_data_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_project_data_rows_sample_id')
        batch_op.drop_index('ix_project_data_rows_project_queue')
        batch_op.drop_index('ix_project_data_rows_batch_id')

    op.drop_table('project_data_rows')
    with op.batch_alter_table('task_queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_queues_project_id'))

    op.drop_table('task_queues')
    op.drop_table('project_labelsets')
    op.drop_table('batches')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_organization_created')
        batch_op.drop_index(batch_op.f('ix_projects_ontology_id'))

    op.drop_table('projects')
    with op.batch_alter_table('ontology_features', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ontology_features_feature_schema_id'))

    op.drop_table('ontology_features')
    with op.batch_alter_table('ontologies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ontologies_organization_id'))

    op.drop_table('ontologies')
    with op.batch_alter_table('feature_schemas', schema=None) as batch_op:
        batch_op.drop_index('ix_feature_schemas_organization_name')

    op.drop_table('feature_schemas')
