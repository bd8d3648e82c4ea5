"""correction and accountability with a life (issue 15): opened -> assigned -> decided -> closed, with who, when and
the outcome (per officer for accountability, with exemptions); the old 'open' rows become 'opened'

Revision ID: c15c0de00003
Revises: c15c0de00002
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c15c0de00003"
down_revision: str | Sequence[str] | None = "c15c0de00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    sa.Column("assigned_on", sa.Date(), nullable=True),
    sa.Column("assignee", sa.String(length=200), nullable=True),
    sa.Column("assignee_agency_code", sa.String(length=40), nullable=True),
    sa.Column("assigned_by", sa.String(length=60), nullable=True),
    sa.Column("assigned_at", sa.DateTime(), nullable=True),
    sa.Column("decided_on", sa.Date(), nullable=True),
    sa.Column("decided_by", sa.String(length=60), nullable=True),
    sa.Column("measure", sa.String(length=30), nullable=True),
    sa.Column("outcomes", sa.JSON(), nullable=True),
    sa.Column("exemptions", sa.Integer(), server_default="0", nullable=False),
    sa.Column("closed_on", sa.Date(), nullable=True),
    sa.Column("closed_by", sa.String(length=60), nullable=True),
    sa.Column("notes", sa.JSON(), nullable=True),
]


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("review_followups") as batch:
        for column in COLUMNS:
            batch.add_column(column)
        batch.alter_column("status", existing_type=sa.String(length=12), server_default="opened")
    op.execute("UPDATE review_followups SET status = 'opened' WHERE status = 'open' OR status IS NULL")
    op.create_index("ix_review_followups_status", "review_followups", ["status", "agency_code"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_review_followups_status", table_name="review_followups")
    op.execute("UPDATE review_followups SET status = 'open'")
    with op.batch_alter_table("review_followups") as batch:
        batch.alter_column("status", existing_type=sa.String(length=12), server_default=None)
        for column in reversed(COLUMNS):
            batch.drop_column(column.name)
