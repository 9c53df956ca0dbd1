"""Publications: which rule revision went out at which stage, as which commit and tag of the
publication repository, and who published it.

Revision ID: 5e8b71480048
Revises: 3b2f7f3017f3
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8b71480048'
down_revision = '3b2f7f3017f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=2), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('tag', sa.String(length=120), nullable=False),
    sa.Column('commit', sa.String(length=40), nullable=False),
    sa.Column('checksum', sa.String(length=80), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('publisher_id', sa.Integer(), nullable=True),
    sa.Column('publisher_label', sa.String(length=100), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['publisher_id'], ['users.id'], name=op.f('fk_publications_publisher_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['rule_revisions.id'], name=op.f('fk_publications_revision_id_rule_revisions')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_publications_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('revision_id', 'stage', name=op.f('uq_publications_revision_id'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_slug'), ['slug'], unique=False)



def downgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_slug'))
        batch_op.drop_index(batch_op.f('ix_publications_rule_id'))

    op.drop_table('publications')
