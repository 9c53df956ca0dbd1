"""Rule drafting: rules, their revisions, suppressed findings, stage moves and consultation comments.

Revision ID: 5502472883bb
Revises: 7f339b018c6b
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op



# revision identifiers, used by Alembic.
revision = '5502472883bb'
down_revision = '7f339b018c6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=2), nullable=False),
    sa.Column('stage_entered_on', sa.Date(), nullable=False),
    sa.Column('consultation_opened_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_rules_product_id_products')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_rules_standard_id_standards')),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_rules_working_group_id_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_rules_code'))
    )
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rules_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_rules_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rules_working_group_id'), ['working_group_id'], unique=False)

    op.create_table('consultation_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('general', 'technical', 'editorial', name='commentkind', native_enum=False, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('proposed_change', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('disposition', sa.Enum('accepted', 'partly_accepted', 'not_accepted', name='disposition', native_enum=False, length=32), nullable=True),
    sa.Column('disposition_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_consultation_comments_author_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_consultation_comments_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_comments'))
    )
    with op.batch_alter_table('consultation_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_comments_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index('ix_consultation_comments_source_time', ['source', 'submitted_at'], unique=False)

    op.create_table('finding_suppressions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_finding_suppressions_created_by_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_finding_suppressions_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_suppressions')),
    sa.UniqueConstraint('rule_id', 'code', 'path', name=op.f('uq_finding_suppressions_rule_id'))
    )
    with op.batch_alter_table('finding_suppressions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_suppressions_rule_id'), ['rule_id'], unique=False)

    op.create_table('rule_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('based_on', sa.Integer(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_rule_revisions_author_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_rule_revisions_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_revisions')),
    sa.UniqueConstraint('rule_id', 'number', name=op.f('uq_rule_revisions_rule_id'))
    )
    with op.batch_alter_table('rule_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_revisions_rule_id'), ['rule_id'], unique=False)

    op.create_table('stage_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=2), nullable=False),
    sa.Column('to_stage', sa.String(length=2), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('gates', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stage_events_actor_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_stage_events_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_events'))
    )
    with op.batch_alter_table('stage_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_events_rule_id'), ['rule_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stage_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_events_rule_id'))

    op.drop_table('stage_events')
    with op.batch_alter_table('rule_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_revisions_rule_id'))

    op.drop_table('rule_revisions')
    with op.batch_alter_table('finding_suppressions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_suppressions_rule_id'))

    op.drop_table('finding_suppressions')
    with op.batch_alter_table('consultation_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_comments_source_time')
        batch_op.drop_index(batch_op.f('ix_consultation_comments_rule_id'))

    op.drop_table('consultation_comments')
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_working_group_id'))
        batch_op.drop_index(batch_op.f('ix_rules_standard_id'))
        batch_op.drop_index(batch_op.f('ix_rules_stage'))
        batch_op.drop_index(batch_op.f('ix_rules_product_id'))

    op.drop_table('rules')
