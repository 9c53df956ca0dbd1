"""The exchange: shared PACT footprints, PACT clients, tokens and events, declarations and their
terms, international reference values for factors

Revision ID: c5e7a9b1d3f4
Revises: b4d6f8a0c2e3
Create Date: 2026-12-06

New tables only; nothing existing changes. Client secrets and tokens are kept as SHA-256 digests.
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e7a9b1d3f4"
down_revision = "b4d6f8a0c2e3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pact_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('secret_digest', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pact_clients_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pact_clients_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_pact_clients_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_pact_clients_client_id'))
    )
    with op.batch_alter_table('pact_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pact_clients_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('declaration_terms',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=False),
    sa.Column('surveillance_months', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_declaration_terms_rule_id_rules')),
    sa.PrimaryKeyConstraint('rule_id', name=op.f('pk_declaration_terms'))
    )
    op.create_table('pact_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('received', 'fulfilled', 'rejected', name='pacteventstatus', native_enum=False, length=32), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_pact_events_answered_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['pact_clients.id'], name=op.f('fk_pact_events_client_id_pact_clients')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pact_events_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_events')),
    sa.UniqueConstraint('client_id', 'source', 'event_id', name=op.f('uq_pact_events_client_id'))
    )
    with op.batch_alter_table('pact_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pact_events_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pact_events_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pact_events_received_at'), ['received_at'], unique=False)

    op.create_table('pact_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['pact_clients.id'], name=op.f('fk_pact_tokens_client_id_pact_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_tokens')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_pact_tokens_token_digest'))
    )
    with op.batch_alter_table('pact_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pact_tokens_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pact_tokens_expires_at'), ['expires_at'], unique=False)

    op.create_table('reference_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('database', sa.String(length=200), nullable=False),
    sa.Column('geography', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_reference_values_entered_by_id_users')),
    sa.ForeignKeyConstraint(['factor_id'], ['factors.id'], name=op.f('fk_reference_values_factor_id_factors')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_reference_values_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_values'))
    )
    with op.batch_alter_table('reference_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reference_values_factor_id'), ['factor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reference_values_rule_id'), ['rule_id'], unique=False)

    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('rule_number', sa.String(length=100), nullable=False),
    sa.Column('product', sa.String(length=300), nullable=False),
    sa.Column('declared_unit', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('geography_kind', sa.String(length=20), nullable=False),
    sa.Column('geography', sa.String(length=20), nullable=False),
    sa.Column('performance_class', sa.String(length=20), nullable=True),
    sa.Column('source', sa.Enum('calculation', 'pact', name='declarationsource', native_enum=False, length=32), nullable=False),
    sa.Column('calculation_id', sa.Integer(), nullable=True),
    sa.Column('pact_document', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'verified', 'rejected', 'suspended', 'withdrawn', name='declarationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('certification_body_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certificate_number', sa.String(length=100), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verification_scope', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('surveillance_dates', sa.JSON(), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calculation_id'], ['trial_calculations.id'], name=op.f('fk_declarations_calculation_id_trial_calculations')),
    sa.ForeignKeyConstraint(['certification_body_id'], ['organisations.id'], name=op.f('fk_declarations_certification_body_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_declarations_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_declarations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['revision_id'], ['rule_revisions.id'], name=op.f('fk_declarations_revision_id_rule_revisions')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_declarations_rule_id_rules')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_declarations_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_declarations_public_id'))
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_calculation_id'), ['calculation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_certification_body_id'), ['certification_body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_valid_until'), ['valid_until'], unique=False)

    op.create_table('shared_footprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pf_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('calculation_id', sa.Integer(), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('product_name', sa.String(length=300), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('Active', 'Deprecated', name='footprintstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['calculation_id'], ['trial_calculations.id'], name=op.f('fk_shared_footprints_calculation_id_trial_calculations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shared_footprints_created_by_id_users')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_shared_footprints_declaration_id_declarations')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_shared_footprints_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_footprints')),
    sa.UniqueConstraint('pf_id', name=op.f('uq_shared_footprints_pf_id'))
    )
    with op.batch_alter_table('shared_footprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_footprints_calculation_id'), ['calculation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_footprints_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_footprints_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_footprints_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_footprints_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('shared_footprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_footprints_status'))
        batch_op.drop_index(batch_op.f('ix_shared_footprints_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_shared_footprints_declaration_id'))
        batch_op.drop_index(batch_op.f('ix_shared_footprints_created_at'))
        batch_op.drop_index(batch_op.f('ix_shared_footprints_calculation_id'))

    op.drop_table('shared_footprints')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_valid_until'))
        batch_op.drop_index(batch_op.f('ix_declarations_status'))
        batch_op.drop_index(batch_op.f('ix_declarations_rule_id'))
        batch_op.drop_index(batch_op.f('ix_declarations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_declarations_certification_body_id'))
        batch_op.drop_index(batch_op.f('ix_declarations_calculation_id'))

    op.drop_table('declarations')
    with op.batch_alter_table('reference_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reference_values_rule_id'))
        batch_op.drop_index(batch_op.f('ix_reference_values_factor_id'))

    op.drop_table('reference_values')
    with op.batch_alter_table('pact_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pact_tokens_expires_at'))
        batch_op.drop_index(batch_op.f('ix_pact_tokens_client_id'))

    op.drop_table('pact_tokens')
    with op.batch_alter_table('pact_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pact_events_received_at'))
        batch_op.drop_index(batch_op.f('ix_pact_events_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_pact_events_client_id'))

    op.drop_table('pact_events')
    op.drop_table('declaration_terms')
    with op.batch_alter_table('pact_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pact_clients_organisation_id'))

    op.drop_table('pact_clients')
