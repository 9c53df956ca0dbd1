"""Evaluation: implementation feedback, evaluation plans and records, withdrawals, coordination
reasons, and adoption applications with their attachments, panel and scores

Revision ID: a3c5e7f9b1d2
Revises: f2b3c4d5e6a7
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d2'
down_revision = 'f2b3c4d5e6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'done', 'cancelled', name='planstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_evaluation_plans_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_evaluation_plans_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_plans'))
    )
    with op.batch_alter_table('evaluation_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_plans_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_plans_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_plans_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_plans_status'), ['status'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('unclear', 'infeasible', 'conflict', 'data_unavailable', 'other', name='feedbackkind', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'answered', name='feedbackstatus', native_enum=False, length=32), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_feedback_answered_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_feedback_author_id_users')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_feedback_standard_id_standards')),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_feedback_working_group_id_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_working_group_id'), ['working_group_id'], unique=False)

    op.create_table('adoption_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'adopted', 'declined', 'withdrawn', name='applicationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('necessity', sa.Text(), nullable=False),
    sa.Column('main_content', sa.Text(), nullable=False),
    sa.Column('expected_uptake', sa.Text(), nullable=False),
    sa.Column('proposed_committee', sa.String(length=200), nullable=False),
    sa.Column('drafting_units', sa.Text(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('eligibility', sa.JSON(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('national_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_adoption_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_adoption_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['national_id'], ['standards.id'], name=op.f('fk_adoption_applications_national_id_standards')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_adoption_applications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_adoption_applications_rule_id_rules')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_adoption_applications_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_applications'))
    )
    with op.batch_alter_table('adoption_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_applications_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_applications_status'), ['status'], unique=False)

    op.create_table('coordination_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('other_rule_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_coordination_reasons_created_by_id_users')),
    sa.ForeignKeyConstraint(['other_rule_id'], ['rules.id'], name=op.f('fk_coordination_reasons_other_rule_id_rules')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_coordination_reasons_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordination_reasons')),
    sa.UniqueConstraint('rule_id', 'other_rule_id', 'choice', name='uq_coordination_reasons_pair')
    )
    with op.batch_alter_table('coordination_reasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordination_reasons_other_rule_id'), ['other_rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coordination_reasons_rule_id'), ['rule_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'concluded', name='evaluationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('conclusion', sa.Enum('continue', 'improve', 'revise', 'integrate', 'withdraw', name='conclusion', native_enum=False, length=32), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('concluded_by_id', sa.Integer(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=True),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concluded_by_id'], ['users.id'], name=op.f('fk_evaluations_concluded_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluations_created_by_id_users')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['standards.id'], name=op.f('fk_evaluations_follow_up_id_standards')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_evaluations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plans.id'], name=op.f('fk_evaluations_plan_id_evaluation_plans')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_evaluations_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_concluded_on'), ['concluded_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_status'), ['status'], unique=False)

    op.create_table('adoption_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('copyright', 'patent', 'registration', 'good_practice', 'standard_text', 'explanation', 'implementation', 'other', name='attachmentkind', native_enum=False, length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['adoption_applications.id'], name=op.f('fk_adoption_attachments_application_id_adoption_applications')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_adoption_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_adoption_attachments_stored_name'))
    )
    with op.batch_alter_table('adoption_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_attachments_application_id'), ['application_id'], unique=False)

    op.create_table('adoption_panel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('member', 'recused', name='panelstatus', native_enum=False, length=32), nullable=False),
    sa.Column('recusal_reason', sa.Text(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_adoption_panel_added_by_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['adoption_applications.id'], name=op.f('fk_adoption_panel_application_id_adoption_applications')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_adoption_panel_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_panel')),
    sa.UniqueConstraint('application_id', 'user_id', name='uq_adoption_panel_user')
    )
    with op.batch_alter_table('adoption_panel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_panel_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_panel_user_id'), ['user_id'], unique=False)

    op.create_table('adoption_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['adoption_applications.id'], name=op.f('fk_adoption_scores_application_id_adoption_applications')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_adoption_scores_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_scores')),
    sa.UniqueConstraint('application_id', 'user_id', 'dimension', name='uq_adoption_scores_member')
    )
    with op.batch_alter_table('adoption_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_scores_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_scores_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_merges',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_merges_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_evaluation_merges_standard_id_standards')),
    sa.PrimaryKeyConstraint('evaluation_id', 'standard_id', name=op.f('pk_evaluation_merges'))
    )
    with op.batch_alter_table('evaluation_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_merges_standard_id'), ['standard_id'], unique=False)

    op.create_table('evaluation_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('scored_by_id', sa.Integer(), nullable=True),
    sa.Column('scored_by_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_scores_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['scored_by_id'], ['users.id'], name=op.f('fk_evaluation_scores_scored_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_scores')),
    sa.UniqueConstraint('evaluation_id', 'dimension', name='uq_evaluation_scores_dimension')
    )
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_scores_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'rejected', name='withdrawalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_withdrawals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_withdrawals_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_withdrawals_standard_id_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_withdrawals')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_withdrawals_evaluation_id'))
    )
    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_withdrawals_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_withdrawals_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_withdrawals_status'))
        batch_op.drop_index(batch_op.f('ix_withdrawals_standard_id'))

    op.drop_table('withdrawals')
    with op.batch_alter_table('evaluation_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_scores_evaluation_id'))

    op.drop_table('evaluation_scores')
    with op.batch_alter_table('evaluation_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_merges_standard_id'))

    op.drop_table('evaluation_merges')
    with op.batch_alter_table('adoption_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_scores_user_id'))
        batch_op.drop_index(batch_op.f('ix_adoption_scores_application_id'))

    op.drop_table('adoption_scores')
    with op.batch_alter_table('adoption_panel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_panel_user_id'))
        batch_op.drop_index(batch_op.f('ix_adoption_panel_application_id'))

    op.drop_table('adoption_panel')
    with op.batch_alter_table('adoption_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_attachments_application_id'))

    op.drop_table('adoption_attachments')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_status'))
        batch_op.drop_index(batch_op.f('ix_evaluations_standard_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_plan_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_concluded_on'))

    op.drop_table('evaluations')
    with op.batch_alter_table('coordination_reasons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordination_reasons_rule_id'))
        batch_op.drop_index(batch_op.f('ix_coordination_reasons_other_rule_id'))

    op.drop_table('coordination_reasons')
    with op.batch_alter_table('adoption_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_applications_status'))
        batch_op.drop_index(batch_op.f('ix_adoption_applications_standard_id'))
        batch_op.drop_index(batch_op.f('ix_adoption_applications_organisation_id'))

    op.drop_table('adoption_applications')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_working_group_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_status'))
        batch_op.drop_index(batch_op.f('ix_feedback_standard_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('evaluation_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_status'))
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_standard_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_due_on'))

    op.drop_table('evaluation_plans')
