"""procedure rules: major-decision review of every type, hearings, reviewer pool

Revision ID: c12c0de00002
Revises: c12c0de00001
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c12c0de00002"
down_revision: str | Sequence[str] | None = "c12c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Major-decision list entries by enforcement type or circumstance tier; a hearing request's withdrawal."""
    with op.batch_alter_table("major_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type_code", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("circumstance", sa.String(length=30), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hearing_withdrawn_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hearing_withdrawn_by", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("hearing_withdrawal_recorded_by", sa.String(length=60), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("hearing_withdrawal_recorded_by")
        batch_op.drop_column("hearing_withdrawn_by")
        batch_op.drop_column("hearing_withdrawn_on")
    with op.batch_alter_table("major_rules", schema=None) as batch_op:
        batch_op.drop_column("circumstance")
        batch_op.drop_column("type_code")
