"""case records: document kinds, the hash chain, whole-process recordings (issue 15)

Revision ID: c15c0de00001
Revises: c14c0de00001
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c15c0de00001"
down_revision: str | Sequence[str] | None = "c14c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "record_kind_catalogues",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "record_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "seq", name="uq_record_chain_case_seq"),
    )
    op.create_table(
        "case_recordings",
        sa.Column("recording_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=True),
        sa.Column("recorder_reference", sa.String(length=128), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("registered_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"]),
        sa.PrimaryKeyConstraint("recording_id"),
        sa.UniqueConstraint("case_id", "device_id", "started_at", name="uq_case_recordings_case_device_start"),
    )
    op.create_index("ix_case_recordings_case_id", "case_recordings", ["case_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_case_recordings_case_id", table_name="case_recordings")
    op.drop_table("case_recordings")
    op.drop_table("record_chain")
    op.drop_table("record_kind_catalogues")
