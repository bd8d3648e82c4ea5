"""certificates' check codes (issue 13): the public check shows the holder only with the code printed on the card

Revision ID: a13c0de00001
Revises: a12c0de00003
Create Date: 2026-11-30 01:30:00

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a13c0de00001"
down_revision: str | Sequence[str] | None = "a12c0de00003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the same alphabet and length as rules.CHECK_CODE_* at the time of writing (a migration keeps its own copy)
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_code", sa.String(length=16), nullable=True))
    # every certificate already issued gets its own random code (reprinted cards carry it)
    certificates = sa.table("certificates", sa.column("number", sa.String), sa.column("check_code", sa.String))
    connection = op.get_bind()
    numbers = connection.execute(sa.select(certificates.c.number)).scalars().all()
    for number in numbers:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        connection.execute(certificates.update().where(certificates.c.number == number).values(check_code=code))
    # left nullable in the schema: making it NOT NULL would rebuild the table on SQLite, which the history's foreign
    # key refuses; every issue sets it (models.Certificate)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("check_code")
