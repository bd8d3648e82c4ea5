"""session partners (issue 13): a joint session's co-organisers confirm; sessions say whom they are open to

Revision ID: f13c0de00002
Revises: f13c0de00001
Create Date: 2026-11-30 01:15:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f13c0de00002"
down_revision: str | Sequence[str] | None = "f13c0de00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOT NULL with a default, added in place (a batch rebuild of sessions would be refused by attendance's key)
    op.add_column("sessions", sa.Column("open_to", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column(
        "sessions", sa.Column("open_county_wide", sa.Boolean(), nullable=False, server_default=sa.text("false"))
    )
    op.create_table(
        "session_partners",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=60), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.session_id"]),
        sa.PrimaryKeyConstraint("session_id", "agency_code"),
    )
    # sessions scheduled before the rule keep what they allowed: the bureau's open to every agency, the others to
    # their organisers; a joint session's co-organisers (every agency but the first) count as having confirmed
    sessions = sa.table(
        "sessions",
        sa.column("session_id", sa.String),
        sa.column("organiser_kind", sa.String),
        sa.column("organiser_agencies", sa.JSON),
        sa.column("open_to", sa.JSON),
        sa.column("open_county_wide", sa.Boolean),
    )
    partners = sa.table(
        "session_partners",
        sa.column("session_id", sa.String),
        sa.column("agency_code", sa.String),
        sa.column("state", sa.String),
        sa.column("decided_by", sa.String),
    )
    connection = op.get_bind()
    connection.execute(sessions.update().where(sessions.c.organiser_kind == "bureau").values(open_county_wide=True))
    joint = connection.execute(
        sa.select(sessions.c.session_id, sessions.c.organiser_agencies).where(sessions.c.organiser_kind == "joint")
    ).all()
    rows = [
        {"session_id": sid, "agency_code": code, "state": "confirmed", "decided_by": "migration"}
        for sid, codes in joint
        for code in list(codes or [])[1:]
    ]
    if rows:
        op.bulk_insert(partners, rows)


def downgrade() -> None:
    op.drop_table("session_partners")
    op.drop_column("sessions", "open_county_wide")
    op.drop_column("sessions", "open_to")
