"""withdrawal watch, committed draw seeds

Revision ID: c12c0de00001
Revises: 10ca01a11942
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "c12c0de00001"
down_revision: str | Sequence[str] | None = "10ca01a11942"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
