"""officers' list indexes (issue 14): each page of the list, first or after a cursor, is an index range scan

Revision ID: a14c0de00001
Revises: a13c0de00001
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a14c0de00001"
down_revision: str | Sequence[str] | None = "a13c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_officers_list", "officers", ["name", "officer_id"], unique=False)
    op.create_index("ix_officers_agency_list", "officers", ["agency_code", "name", "officer_id"], unique=False)
    op.create_index("ix_officers_status_list", "officers", ["status", "name", "officer_id"], unique=False)
    op.create_index(
        "ix_officers_agency_status_list", "officers", ["agency_code", "status", "name", "officer_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_officers_agency_status_list", table_name="officers")
    op.drop_index("ix_officers_status_list", table_name="officers")
    op.drop_index("ix_officers_agency_list", table_name="officers")
    op.drop_index("ix_officers_list", table_name="officers")
