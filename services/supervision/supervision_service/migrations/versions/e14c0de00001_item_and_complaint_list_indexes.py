"""supervision items' and complaints' list indexes (issue 14): newest first (id) behind agency, state and (the
dashboard's) overdue; the items' (agency_code, state, id) replaces ix_items_agency_state (same leading columns)

Revision ID: e14c0de00001
Revises: e12c0de00003
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e14c0de00001"
down_revision: str | Sequence[str] | None = "e12c0de00003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_items_agency_state_list", "supervision_items", ["agency_code", "state", "id"], unique=False)
    op.create_index("ix_items_agency_list", "supervision_items", ["agency_code", "id"], unique=False)
    op.create_index("ix_items_state_list", "supervision_items", ["state", "id"], unique=False)
    op.create_index("ix_items_overdue_list", "supervision_items", ["overdue", "id"], unique=False)
    op.drop_index("ix_items_agency_state", table_name="supervision_items")
    op.create_index("ix_complaints_agency_list", "complaints", ["agency_code", "id"], unique=False)
    op.create_index("ix_complaints_agency_state_list", "complaints", ["agency_code", "state", "id"], unique=False)
    op.create_index("ix_complaints_state_list", "complaints", ["state", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_complaints_state_list", table_name="complaints")
    op.drop_index("ix_complaints_agency_state_list", table_name="complaints")
    op.drop_index("ix_complaints_agency_list", table_name="complaints")
    op.create_index("ix_items_agency_state", "supervision_items", ["agency_code", "state"], unique=False)
    op.drop_index("ix_items_overdue_list", table_name="supervision_items")
    op.drop_index("ix_items_state_list", table_name="supervision_items")
    op.drop_index("ix_items_agency_list", table_name="supervision_items")
    op.drop_index("ix_items_agency_state_list", table_name="supervision_items")
