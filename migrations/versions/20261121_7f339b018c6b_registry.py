"""Standards registry: products, standards with their numbers, and relations between standards.

Revision ID: 7f339b018c6b
Revises: 32f785e1c550
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7f339b018c6b'
down_revision = '32f785e1c550'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('aliases', sa.String(length=500), nullable=False),
    sa.Column('classification_code', sa.String(length=32), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.Enum('production', 'consumption', name='side', native_enum=False, length=32), nullable=False),
    sa.Column('end_use', sa.Enum('final', 'intermediate', name='enduse', native_enum=False, length=32), nullable=False),
    sa.Column('priority_category', sa.Enum('basic_energy', 'raw_material', 'transport', 'export_product', name='prioritycategory', native_enum=False, length=32), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['products.id'], name=op.f('fk_products_parent_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_parent_id'), ['parent_id'], unique=False)
    op.create_index("uq_products_name_lower", "products", [sa.text("lower(name)")], unique=True)

    op.create_table('standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('national', 'industry', 'local', 'group', 'enterprise', name='level', native_enum=False, length=32), nullable=False),
    sa.Column('nature', sa.Enum('mandatory', 'recommended', 'guidance', name='nature', native_enum=False, length=32), nullable=False),
    sa.Column('numbers', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=500), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'drafting', 'consultation', 'published', 'under_revision', 'replaced', 'withdrawn', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('association', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('implemented_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('implemented_on IS NULL OR published_on IS NULL OR implemented_on >= published_on', name=op.f('ck_standards_dates')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_standards_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standards'))
    )
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standards_implemented_on'), ['implemented_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_standards_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_standards_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standards_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_standards_year'), ['year'], unique=False)

    op.create_table('standard_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_standard_numbers_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_numbers')),
    sa.UniqueConstraint('key', name=op.f('uq_standard_numbers_key'))
    )
    with op.batch_alter_table('standard_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_numbers_standard_id'), ['standard_id'], unique=False)

    op.create_table('standard_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('replaces', 'adopts_international', 'adopts_group', 'cites', name='relationkind', native_enum=False, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('target_text', sa.String(length=200), nullable=True),
    sa.Column('equivalence', sa.Enum('IDT', 'MOD', 'NEQ', name='equivalence', native_enum=False, length=32), nullable=True),
    sa.CheckConstraint('(target_id IS NULL) <> (target_text IS NULL)', name=op.f('ck_standard_relations_one_target')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_standard_relations_standard_id_standards')),
    sa.ForeignKeyConstraint(['target_id'], ['standards.id'], name=op.f('fk_standard_relations_target_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_relations'))
    )
    with op.batch_alter_table('standard_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_relations_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_relations_target_id'), ['target_id'], unique=False)



def downgrade():
    with op.batch_alter_table('standard_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_relations_target_id'))
        batch_op.drop_index(batch_op.f('ix_standard_relations_standard_id'))

    op.drop_table('standard_relations')
    with op.batch_alter_table('standard_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_numbers_standard_id'))

    op.drop_table('standard_numbers')
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standards_year'))
        batch_op.drop_index(batch_op.f('ix_standards_status'))
        batch_op.drop_index(batch_op.f('ix_standards_product_id'))
        batch_op.drop_index(batch_op.f('ix_standards_level'))
        batch_op.drop_index(batch_op.f('ix_standards_implemented_on'))

    op.drop_table('standards')
    op.drop_index("uq_products_name_lower", table_name="products")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_parent_id'))

    op.drop_table('products')
