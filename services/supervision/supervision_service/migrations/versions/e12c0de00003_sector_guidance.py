"""sector guidance: who guides which township's items

Revision ID: e12c0de00003
Revises: e12c0de00002
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e12c0de00003"
down_revision: str | Sequence[str] | None = "e12c0de00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: the read model of personnel's sector guidance (filled by its events from now on; relations
    recorded before are announced when recorded, so nothing to backfill here)."""
    op.create_table(
        "guidance",
        sa.Column("guidance_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("guidance_id"),
    )
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guidance_agency_code"), ["agency_code"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guidance_agency_code"))
    op.drop_table("guidance")
