"""annual report filings: each yearly report as filed (报送), once per year and scope

Revision ID: 25c4b542e749
Revises: c5e2a8f41b07
Create Date: 2026-11-28 00:32:58.077190

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "25c4b542e749"
down_revision: str | Sequence[str] | None = "c5e2a8f41b07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annual_report_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("filed_by", sa.String(length=60), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "scope", name="uq_annual_report_filings_year_scope"),
    )


def downgrade() -> None:
    op.drop_table("annual_report_filings")
