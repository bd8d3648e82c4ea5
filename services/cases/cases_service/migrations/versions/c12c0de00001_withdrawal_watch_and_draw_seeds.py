"""withdrawal watch, committed draw seeds

Revision ID: c12c0de00001
Revises: 10ca01a11942
Create Date: 2026-11-29 22:00:00

"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c12c0de00001"
down_revision: str | Sequence[str] | None = "10ca01a11942"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = {"draws": "draw_id", "review_batches": "batch_id"}


def upgrade() -> None:
    """Draws and review batches are planned (the seed's hash published) before they are drawn (the seed revealed).
    The draws made before are drawn already: their hash is computed from their seed. The withdrawal watch needs no
    table of its own (deadline_misses holds its rows)."""
    bind = op.get_bind()
    for table, key in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("seed_hash", sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column("state", sa.String(length=10), server_default="planned", nullable=False))
            batch_op.add_column(sa.Column("executed_at", sa.DateTime(), nullable=True))
        rows = bind.execute(sa.text(f"SELECT {key}, seed, created_at FROM {table}")).all()
        for row_id, seed, created_at in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET seed_hash = :hash, state = 'drawn', executed_at = :at WHERE {key} = :id"),
                {"hash": hashlib.sha256(seed.encode()).hexdigest(), "at": created_at, "id": row_id},
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("seed_hash", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    """Downgrade schema (a planned draw keeps its secret seed in the old columns)."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("executed_at")
            batch_op.drop_column("state")
            batch_op.drop_column("seed_hash")
