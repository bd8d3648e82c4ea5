"""obligation watches: complaints, missed deadlines in the promptness table, units

Revision ID: e12c0de00001
Revises: 7d41c2b9e305
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e12c0de00001"
down_revision: str | Sequence[str] | None = "7d41c2b9e305"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A provisional late row per missed deadline (replaced by its measurement); this service's own misses."""
    with op.batch_alter_table("promptness_measurements") as batch:
        batch.add_column(sa.Column("missed_open", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_promptness_obligation", ["source", "kind", "reference"])
    op.create_table(
        "deadline_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Float(), nullable=False),
        sa.Column("deadline_unit", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "reference", "agency_code", name="uq_deadline_misses_obligation"),
    )


def downgrade() -> None:
    op.drop_table("deadline_misses")
    with op.batch_alter_table("promptness_measurements") as batch:
        batch.drop_index("ix_promptness_obligation")
        batch.drop_column("missed_open")
