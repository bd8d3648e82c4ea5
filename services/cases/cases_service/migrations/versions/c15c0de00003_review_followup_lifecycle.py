"""correction and accountability with a life (issue 15)

Revision ID: c15c0de00003
Revises: c15c0de00002
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "c15c0de00003"
down_revision: str | Sequence[str] | None = "c15c0de00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
