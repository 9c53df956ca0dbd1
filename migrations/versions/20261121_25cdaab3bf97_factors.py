"""Factor library: factors with provenance, and every version each factor has had.

Revision ID: 25cdaab3bf97
Revises: 5502472883bb
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op



# revision identifiers, used by Alembic.
revision = '25cdaab3bf97'
down_revision = '5502472883bb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('gases', sa.JSON(), nullable=True),
    sa.Column('kind', sa.Enum('cfp_life_cycle', 'co2_location_based', 'co2_excluding_market_non_fossil', 'co2_fossil_only', 'co2_combustion_only', 'process_emission', name='factorkind', native_enum=False, length=32), nullable=False),
    sa.Column('geography', sa.String(length=100), nullable=False),
    sa.Column('data_year', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('tier', sa.Enum('measured_verified', 'government', 'industry', 'literature', name='tier', native_enum=False, length=32), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('uncertainty', sa.JSON(), nullable=True),
    sa.Column('database', sa.String(length=200), nullable=False),
    sa.Column('standards', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factors')),
    sa.UniqueConstraint('code', name=op.f('uq_factors_code'))
    )
    with op.batch_alter_table('factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factors_tier'), ['tier'], unique=False)
    op.create_index("ix_factors_name_lower", "factors", [sa.text("lower(name)")], unique=False)

    op.create_table('factor_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['factor_id'], ['factors.id'], name=op.f('fk_factor_versions_factor_id_factors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_versions')),
    sa.UniqueConstraint('factor_id', 'version', name=op.f('uq_factor_versions_factor_id'))
    )
    with op.batch_alter_table('factor_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_versions_factor_id'), ['factor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('factor_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_versions_factor_id'))

    op.drop_table('factor_versions')
    op.drop_index("ix_factors_name_lower", table_name="factors")
    with op.batch_alter_table('factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factors_tier'))

    op.drop_table('factors')
