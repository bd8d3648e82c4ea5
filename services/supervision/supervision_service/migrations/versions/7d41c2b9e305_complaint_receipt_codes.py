"""complaint receipt codes: a random 查询码 per complaint, to look up its progress without guessing ids

Revision ID: 7d41c2b9e305
Revises: 25c4b542e749
Create Date: 2026-11-29 18:40:00

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41c2b9e305"
down_revision: str | Sequence[str] | None = "25c4b542e749"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as supervision_service.rules (a migration keeps its own copy)


def _code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def upgrade() -> None:
    op.add_column("complaints", sa.Column("receipt_code", sa.String(length=20), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM complaints"))]
    for complaint_id in ids:  # complaints registered before: each gets its own code
        connection.execute(
            sa.text("UPDATE complaints SET receipt_code = :code WHERE id = :id"), {"code": _code(), "id": complaint_id}
        )
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("receipt_code", existing_type=sa.String(length=20), nullable=False)
        batch.create_unique_constraint("uq_complaints_receipt_code", ["receipt_code"])


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint("uq_complaints_receipt_code", type_="unique")
        batch.drop_column("receipt_code")
