"""import jobs (issue 13)

Revision ID: f13c0de00001
Revises: f12c0de00001
Create Date: 2026-11-30 01:15:00

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "f13c0de00001"
down_revision: str | Sequence[str] | None = "f12c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
