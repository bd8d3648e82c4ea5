"""case documents and their uploads (issue 15)

Revision ID: c15c0de00002
Revises: c15c0de00001
Create Date: 2026-11-30 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c15c0de00002"
down_revision: str | Sequence[str] | None = "c15c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "case_documents",
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=60), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index("ix_case_documents_case_uploaded", "case_documents", ["case_id", "uploaded_at"])
    op.create_index(op.f("ix_case_documents_sha256"), "case_documents", ["sha256"])
    op.create_table(
        "document_uploads",
        sa.Column("upload_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("max_bytes", sa.BigInteger(), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("received_bytes", sa.BigInteger(), nullable=False),
        sa.Column("started_by", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"]),
        sa.PrimaryKeyConstraint("upload_id"),
    )
    op.create_index(op.f("ix_document_uploads_started_at"), "document_uploads", ["started_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_document_uploads_started_at"), table_name="document_uploads")
    op.drop_table("document_uploads")
    op.drop_index(op.f("ix_case_documents_sha256"), table_name="case_documents")
    op.drop_index("ix_case_documents_case_uploaded", table_name="case_documents")
    op.drop_table("case_documents")
