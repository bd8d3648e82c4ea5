"""the audit trail's list indexes (issue 14): newest first (id) by user and by action

Revision ID: e14c0de00002
Revises: e13c0de00001
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e14c0de00002"
down_revision: str | Sequence[str] | None = "e13c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_audit_records_username_list", "audit_records", ["username", "id"], unique=False)
    op.create_index("ix_audit_records_action_list", "audit_records", ["action", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_audit_records_action_list", table_name="audit_records")
    op.drop_index("ix_audit_records_username_list", table_name="audit_records")
