"""Each rule revision keeps its document's `parameters` beside the document

Revision ID: b4d6f8a0c2e3
Revises: a3c5e7f9b1d2
Create Date: 2026-12-06

The coordination report reads the technical choices of every rule; extracting them from whole
documents (20–40 kB of JSON each, parsed whole by both databases) was most of its cost. Revisions
never change, so a copy written with the document cannot drift. Upgrade: the column, then the copy
for every stored revision, by the database's own JSON functions (no document passes through Python).
"""

import sqlalchemy as sa
from alembic import op

revision = "b4d6f8a0c2e3"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("rule_revisions", sa.Column("parameters", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE rule_revisions SET parameters = document -> 'parameters'")
    else:
        op.execute("UPDATE rule_revisions SET parameters = json_extract(document, '$.parameters')")


def downgrade():
    # Plain ALTER TABLE (SQLite 3.35 and later drop columns themselves): a batch copy of the table
    # would have to drop a table that trials, calculations and publications reference.
    op.execute("ALTER TABLE rule_revisions DROP COLUMN parameters")
