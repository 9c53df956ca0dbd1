"""Trials: one enterprise's data for one rule revision, its calculations and the factor
versions each calculation used.

Revision ID: 3b2f7f3017f3
Revises: 25cdaab3bf97
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3b2f7f3017f3'
down_revision = '25cdaab3bf97'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('enterprise', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('dataset', sa.JSON(), nullable=False),
    sa.Column('source', sa.Enum('form', 'xlsx', 'json', name='datasetsource', native_enum=False, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trials_created_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['rule_revisions.id'], name=op.f('fk_trials_revision_id_rule_revisions')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_trials_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trials'))
    )
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trials_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_rule_id'), ['rule_id'], unique=False)

    op.create_table('trial_calculations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('trial_version', sa.Integer(), nullable=False),
    sa.Column('dataset', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('calculated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('calculated_by_id', sa.Integer(), nullable=True),
    sa.Column('calculated_by_label', sa.String(length=100), nullable=False),
    sa.Column('of_record', sa.Boolean(), nullable=False),
    sa.Column('usable', sa.Boolean(), nullable=False),
    sa.Column('cfp_per_unit', sa.Double(), nullable=True),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['calculated_by_id'], ['users.id'], name=op.f('fk_trial_calculations_calculated_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['rule_revisions.id'], name=op.f('fk_trial_calculations_revision_id_rule_revisions')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_calculations_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_calculations'))
    )
    with op.batch_alter_table('trial_calculations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_calculations_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trial_calculations_trial_id'), ['trial_id'], unique=False)

    op.create_table('calculation_factors',
    sa.Column('calculation_id', sa.Integer(), nullable=False),
    sa.Column('factor_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calculation_id'], ['trial_calculations.id'], name=op.f('fk_calculation_factors_calculation_id_trial_calculations')),
    sa.ForeignKeyConstraint(['factor_version_id'], ['factor_versions.id'], name=op.f('fk_calculation_factors_factor_version_id_factor_versions')),
    sa.PrimaryKeyConstraint('calculation_id', 'factor_version_id', name=op.f('pk_calculation_factors'))
    )
    with op.batch_alter_table('calculation_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calculation_factors_factor_version_id'), ['factor_version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('calculation_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calculation_factors_factor_version_id'))

    op.drop_table('calculation_factors')
    with op.batch_alter_table('trial_calculations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_calculations_trial_id'))
        batch_op.drop_index(batch_op.f('ix_trial_calculations_revision_id'))

    op.drop_table('trial_calculations')
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trials_rule_id'))
        batch_op.drop_index(batch_op.f('ix_trials_revision_id'))

    op.drop_table('trials')
