"""The catalogue: priority and recommended lists (batches, items), calls for proposals, proposals

Revision ID: e1a2b3c4d5f6
Revises: d5f9b2c3e8a4
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d5f6'
down_revision = 'd5f9b2c3e8a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('list_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('priority', 'group_recommended', name='listkind', native_enum=False, length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issuers', sa.String(length=500), nullable=False),
    sa.Column('document_number', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', name='batchstatus', native_enum=False, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['list_batches.id'], name=op.f('fk_list_batches_corrects_id_list_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_batches')),
    sa.UniqueConstraint('kind', 'number', name='uq_list_batches_kind_number')
    )
    with op.batch_alter_table('list_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_batches_kind'), ['kind'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('months_to_approval', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_calls_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    op.create_table('list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('change', sa.Enum('add', 'change', 'remove', name='itemchange', native_enum=False, length=32), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.Enum('basic_energy', 'raw_material', 'transport', 'export_product', 'consumer_product', name='prioritycategory', native_enum=False, length=32), nullable=True),
    sa.Column('side', sa.Enum('production', 'consumption', name='side', native_enum=False, length=32), nullable=True),
    sa.Column('level', sa.Enum('national', 'industry', 'local', 'group', 'enterprise', name='level', native_enum=False, length=32), nullable=True),
    sa.Column('lead_ministry', sa.String(length=100), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['list_batches.id'], name=op.f('fk_list_items_batch_id_list_batches')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_list_items_product_id_products')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_list_items_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_items'))
    )
    with op.batch_alter_table('list_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_items_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_items_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_items_standard_id'), ['standard_id'], unique=False)

    op.create_table('call_batches',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['list_batches.id'], name=op.f('fk_call_batches_batch_id_list_batches')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_batches_call_id_calls')),
    sa.PrimaryKeyConstraint('call_id', 'batch_id', name=op.f('pk_call_batches'))
    )
    with op.batch_alter_table('call_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_batches_batch_id'), ['batch_id'], unique=False)

    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('national', 'industry', 'local', 'group', 'enterprise', name='level', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('urgency', sa.Text(), nullable=False),
    sa.Column('technical_content', sa.Text(), nullable=False),
    sa.Column('international', sa.Text(), nullable=False),
    sa.Column('drafting_units', sa.Text(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('timetable', sa.Text(), nullable=False),
    sa.Column('trial_enterprises', sa.Integer(), nullable=False),
    sa.Column('trial_plan', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'returned', 'approved', 'rejected', 'withdrawn', name='proposalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('plan_number', sa.String(length=20), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_proposals_call_id_calls')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_proposals_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_proposals_product_id_products')),
    sa.ForeignKeyConstraint(['proposer_id'], ['users.id'], name=op.f('fk_proposals_proposer_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_proposals_rule_id_rules')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_proposals_standard_id_standards')),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_proposals_working_group_id_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('plan_number', name=op.f('uq_proposals_plan_number'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_status'), ['status'], unique=False)

    op.create_table('proposal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_comments_author_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_comments_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comments_proposal_id'), ['proposal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comments_proposal_id'))

    op.drop_table('proposal_comments')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_proposals_standard_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_rule_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_product_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_call_id'))

    op.drop_table('proposals')
    with op.batch_alter_table('call_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_batches_batch_id'))

    op.drop_table('call_batches')
    with op.batch_alter_table('list_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_items_standard_id'))
        batch_op.drop_index(batch_op.f('ix_list_items_product_id'))
        batch_op.drop_index(batch_op.f('ix_list_items_batch_id'))

    op.drop_table('list_items')
    op.drop_table('calls')
    with op.batch_alter_table('list_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_batches_kind'))

    op.drop_table('list_batches')
