"""decision changes: the ground (agency, reconsideration, litigation)

Revision ID: 7a1c3e9b2d40
Revises: e4ed6cdc5dd1
Create Date: 2026-11-27 21:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a1c3e9b2d40"
down_revision: str | Sequence[str] | None = "e4ed6cdc5dd1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows recorded before this revision were the agency's own changes: the only kind the form offered
    with op.batch_alter_table("decision_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ground", sa.String(length=20), nullable=False, server_default="agency"))


def downgrade() -> None:
    with op.batch_alter_table("decision_changes", schema=None) as batch_op:
        batch_op.drop_column("ground")
