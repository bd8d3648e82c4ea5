"""deadline misses: each deadline passed unmet, announced once per case or transfer and kind (cases.deadline.missed)

Revision ID: 10ca01a11942
Revises: 7a1c3e9b2d40
Create Date: 2026-11-27 22:04:57.427790

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "10ca01a11942"
down_revision: str | Sequence[str] | None = "7a1c3e9b2d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("transfer_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.transfer_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference", "kind", name="uq_deadline_misses_reference_kind"),
    )


def downgrade() -> None:
    op.drop_table("deadline_misses")
