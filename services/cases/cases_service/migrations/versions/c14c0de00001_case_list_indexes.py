"""cases' list indexes (issue 14): the list's order (filed_on DESC, case_number, case_id) behind its filters; the
agency's replaces ix_cases_agency_filed (same leading columns); deadline misses by case (the overdue filter)

Revision ID: c14c0de00001
Revises: c12c0de00002
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c14c0de00001"
down_revision: str | Sequence[str] | None = "c12c0de00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_cases_list", "cases", [sa.text("filed_on DESC"), "case_number", "case_id"], unique=False)
    op.create_index(
        "ix_cases_agency_list",
        "cases",
        ["agency_code", sa.text("filed_on DESC"), "case_number", "case_id"],
        unique=False,
    )
    op.create_index(
        "ix_cases_status_list", "cases", ["status", sa.text("filed_on DESC"), "case_number", "case_id"], unique=False
    )
    op.create_index(
        "ix_cases_agency_status_list",
        "cases",
        ["agency_code", "status", sa.text("filed_on DESC"), "case_number", "case_id"],
        unique=False,
    )
    op.drop_index("ix_cases_agency_filed", table_name="cases")
    # the list's overdue filter: each case's deadline misses
    op.create_index("ix_deadline_misses_case", "deadline_misses", ["case_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_deadline_misses_case", table_name="deadline_misses")
    op.create_index("ix_cases_agency_filed", "cases", ["agency_code", "filed_on"], unique=False)
    op.drop_index("ix_cases_agency_status_list", table_name="cases")
    op.drop_index("ix_cases_status_list", table_name="cases")
    op.drop_index("ix_cases_agency_list", table_name="cases")
    op.drop_index("ix_cases_list", table_name="cases")
