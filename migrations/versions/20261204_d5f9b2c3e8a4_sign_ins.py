"""Server-side sign-ins and shared rate-limit counters

A session or remember-me cookie now names a row of `sign_ins`, which signing out ends on every
server; the users' session generation that used to do part of this goes. `rate_counters` holds
the fixed windows of every rate limit (workbench.throttle), and API tokens remember when and from
where they were last used.

Revision ID: d5f9b2c3e8a4
Revises: c4e8a1f2b7d3
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "d5f9b2c3e8a4"
down_revision = "c4e8a1f2b7d3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sign_ins_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_ins_token_hash")),
    )
    op.create_index(op.f("ix_sign_ins_user_id"), "sign_ins", ["user_id"])
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_from", sa.String(length=45), nullable=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("last_used_from")
        batch_op.drop_column("last_used_at")
    op.drop_table("rate_counters")
    op.drop_index(op.f("ix_sign_ins_user_id"), table_name="sign_ins")
    op.drop_table("sign_ins")
