"""certificate applications and the deadline watches of personnel

Revision ID: a12c0de00002
Revises: a12c0de00001
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a12c0de00002"
down_revision: str | Sequence[str] | None = "a12c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "certificate_applications",
        sa.Column("application_id", sa.String(length=32), nullable=False),
        sa.Column("officer_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("certificate_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"]),
        sa.ForeignKeyConstraint(["certificate_number"], ["certificates.number"]),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.officer_id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )
    with op.batch_alter_table("certificate_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_applications_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_applications_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_applications_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_certificate_applications_pending_officer",
            ["officer_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )

    op.create_table(
        "deadline_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference", "kind", name="uq_deadline_misses_reference_kind"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("deadline_misses")
    with op.batch_alter_table("certificate_applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificate_applications_pending_officer", sqlite_where=PENDING, postgresql_where=PENDING
        )
        batch_op.drop_index(batch_op.f("ix_certificate_applications_state"))
        batch_op.drop_index(batch_op.f("ix_certificate_applications_officer_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_applications_agency_code"))
    op.drop_table("certificate_applications")
