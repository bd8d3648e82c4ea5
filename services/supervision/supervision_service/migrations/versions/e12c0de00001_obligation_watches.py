"""obligation watches: complaints, missed deadlines in the promptness table, units

Revision ID: e12c0de00001
Revises: 7d41c2b9e305
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "e12c0de00001"
down_revision: str | Sequence[str] | None = "7d41c2b9e305"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
