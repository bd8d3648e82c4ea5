"""police cards, certificate status history on a date

Revision ID: a12c0de00001
Revises: 21b0a914e9d3
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a12c0de00001"
down_revision: str | Sequence[str] | None = "21b0a914e9d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: officers' police card numbers, agencies' enforcement domains (a police bureau's: public
    security, as the seed now has it)."""
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("police_card_number", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_officers_police_card_number"), ["police_card_number"], unique=True)
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domains", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    # the police agencies already registered enforce public security (a new column: every row's domains are empty)
    agencies = sa.table("agencies", sa.column("is_police", sa.Boolean), sa.column("domains", sa.JSON))
    op.execute(agencies.update().where(agencies.c.is_police.is_(True)).values(domains=["public_security"]))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("domains")
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officers_police_card_number"))
        batch_op.drop_column("police_card_number")
