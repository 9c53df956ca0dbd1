"""One actor label everywhere: "display name (username)" needs up to 167 characters

Records used to name a person by username alone; they now carry the same label as the audit
trail, so the columns that keep it grow to the audit trail's 200 characters.

Revision ID: 9a1c3e5d7b20
Revises: 5e8b71480048
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "9a1c3e5d7b20"
down_revision = "5e8b71480048"
branch_labels = None
depends_on = None

COLUMNS = (
    ("rule_revisions", "author_label"),
    ("stage_events", "actor_label"),
    ("trial_calculations", "calculated_by_label"),
    ("publications", "publisher_label"),
)


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, type_=sa.String(200), existing_type=sa.String(100), existing_nullable=False)


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, type_=sa.String(100), existing_type=sa.String(200), existing_nullable=False)
