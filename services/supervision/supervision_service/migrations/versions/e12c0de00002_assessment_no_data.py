"""assessment: no data told from a clean record, agencies without enforcement duties

Revision ID: e12c0de00002
Revises: e12c0de00001
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e12c0de00002"
down_revision: str | Sequence[str] | None = "e12c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A run keeps the share of the weight with data it required and the agencies it left out (no enforcement
    duties); runs from before keep NULL in both."""
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_weight_with_data", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("not_assessed", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.drop_column("not_assessed")
        batch_op.drop_column("min_weight_with_data")
