"""Standard number keys ignore leading zeros of the sequence: DB3306/T 069—2024 is DB3306/T 69—2024

Revision ID: f2b3c4d5e6a7
Revises: e1a2b3c4d5f6
Create Date: 2026-12-05

Data only: every `standard_numbers.key` is recomputed by the rule of
workbench.registry.numbers.StandardNumber.key as it stands at this revision, restated here so that
the migration keeps meaning what it meant when the code moves on (tests/test_numbers.py checks
that the two agree on every kind of number).

Upgrade: the leading zeros of the sequence leave the key ("DB3306/T069-2024" → "DB3306/T69-2024",
"T/CPCIF 0391-2024" → "T/CPCIF 391-2024"). Two stored rows that then share a key are two records
of one standard: the upgrade stops with an error naming both numbers and their standards, rather
than merging records (which would lose one's facts) or keeping both (which the unique key forbids);
the operator archives or renumbers one and runs the upgrade again. Nothing is changed before the
check passes.

Downgrade: the keys are recomputed the former way from the printed number (`number`, which keeps
its zeros): the compact form, with the space after a group or enterprise code.
"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b3c4d5e6a7'
down_revision = 'e1a2b3c4d5f6'
branch_labels = None
depends_on = None


# The code before the sequence in a compact key: "GB/T", "HJ", "NB/SH/T", "JGJ/T", "DB3306/T", "DB11/".
_CODE = re.compile(r"(DB[0-9]+/[A-Z]*|[A-Z]+(?:/[A-Z]+)*)(0+)(?=[0-9])")


def new_key(old: str) -> str:
    """The key without the sequence's leading zeros. Group and enterprise keys ("T/CPCIF 0391-2024")
    and international ones ("ISO 14067:2018") keep a space before the sequence."""
    if " " in old:
        prefix, rest = old.rsplit(" ", 1)
        return f"{prefix} {re.sub(r'^0+(?=[0-9])', '', rest)}"
    return _CODE.sub(r"\1", old, count=1) if _CODE.match(old) else old


def old_key(number: str) -> str:
    """The former key of a printed number: "DB3306/T 069—2024" → "DB3306/T069-2024"."""
    text = number.replace("\u2014", "-")
    if text.startswith(("T/", "Q/")):
        prefix, rest = text.split(" ", 1)
        return f"{prefix} {rest.replace(' ', '')}"
    return text.replace(" ", "")


_numbers = sa.table(
    'standard_numbers',
    sa.column('id', sa.Integer),
    sa.column('standard_id', sa.Integer),
    sa.column('number', sa.String),
    sa.column('key', sa.String),
)


def _rewrite(compute) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_numbers.c.id, _numbers.c.standard_id, _numbers.c.number, _numbers.c.key)).all()
    wanted = {row.id: compute(row) for row in rows}
    owners: dict[str, object] = {}
    for row in rows:
        first = owners.setdefault(wanted[row.id], row)
        if first is not row:
            raise RuntimeError(
                f"standard_numbers: {first.number} (standard {first.standard_id}) and {row.number} "
                f"(standard {row.standard_id}) are one number once leading zeros are ignored "
                f"(key {wanted[row.id]}); archive or renumber one of them, then upgrade again."
            )
    changed = [row for row in rows if wanted[row.id] != row.key]
    # Two passes, so that no intermediate state breaks the unique key when keys trade places.
    for row in changed:
        connection.execute(_numbers.update().where(_numbers.c.id == row.id).values(key=f"~{row.id}"))
    for row in changed:
        connection.execute(_numbers.update().where(_numbers.c.id == row.id).values(key=wanted[row.id]))


def upgrade():
    _rewrite(lambda row: new_key(row.key))


def downgrade():
    _rewrite(lambda row: row.key if " " in row.key and not row.number.startswith(("T/", "Q/")) else old_key(row.number))
