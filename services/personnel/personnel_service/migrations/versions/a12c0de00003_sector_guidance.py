"""sector guidance and the legal reviewers' county pool

Revision ID: a12c0de00003
Revises: a12c0de00002
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a12c0de00003"
down_revision: str | Sequence[str] | None = "a12c0de00002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _upgrade_sector_guidance()
    # art. 58: a reviewer who reviewed major decisions before registration here is not a first-time reviewer
    with op.batch_alter_table("legal_reviewers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_reviewed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("legal_reviewers", schema=None) as batch_op:
        batch_op.drop_column("first_reviewed_on")
    _downgrade_sector_guidance()


# --- sector guidance, and officers' in-post dates (issue 12, training years) ----------------------
def _upgrade_sector_guidance() -> None:
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointed_on", sa.Date(), nullable=True))
    # an officer registered before the appointment date was recorded was in post from the day of registration
    officers = sa.table("officers", sa.column("appointed_on", sa.Date), sa.column("created_at", sa.DateTime))
    op.execute(officers.update().values(appointed_on=sa.func.date(officers.c.created_at)))
    op.create_table(
        "sector_guidance",
        sa.Column("guidance_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agencies.code"]),
        sa.ForeignKeyConstraint(["township_code"], ["agencies.code"]),
        sa.PrimaryKeyConstraint("guidance_id"),
    )
    with op.batch_alter_table("sector_guidance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sector_guidance_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_sector_guidance_township_code"), ["township_code"], unique=False)
        batch_op.create_index(
            "uq_sector_guidance_in_force",
            ["agency_code", "township_code", "domain"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )


def _downgrade_sector_guidance() -> None:
    with op.batch_alter_table("sector_guidance", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sector_guidance_in_force",
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_sector_guidance_township_code"))
        batch_op.drop_index(batch_op.f("ix_sector_guidance_agency_code"))
    op.drop_table("sector_guidance")
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_column("appointed_on")
