"""training years: required courses by year, officers in post

Revision ID: f12c0de00001
Revises: 6735913760c5
Create Date: 2026-11-29 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f12c0de00001"
down_revision: str | Sequence[str] | None = "6735913760c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# the seeded compulsory course (国办发〔2023〕27号) has been required since the plan began
PLAN_COURSE, PLAN_YEAR = "gbf-2023-27", 2023


def upgrade() -> None:
    """Upgrade schema: required years on courses, in-post dates and domains on officers, the guidance read model."""
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("required_from", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("required_until", sa.Integer(), nullable=True))
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("domains", sa.JSON(), nullable=True))
    op.create_table(
        "guidance",
        sa.Column("guidance_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("township_code", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("guidance_id"),
    )
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guidance_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_guidance_township_code"), ["township_code"], unique=False)
    _backfill_required_years()
    # officers' appointment dates stay unknown (counted as in post before any year) until the directory sync
    # fills them in from the personnel service at the next start


def _backfill_required_years() -> None:
    """A course required today has been required since the earlier of the year it was created and the year of its
    first session (a course created in 2026 for sessions held in 2024 was required then); the plan's course since
    2023."""
    courses = sa.table(
        "courses",
        sa.column("course_id", sa.String),
        sa.column("required", sa.Boolean),
        sa.column("created_at", sa.DateTime),
        sa.column("required_from", sa.Integer),
    )
    sessions = sa.table("sessions", sa.column("course_id", sa.String), sa.column("held_on", sa.Date))
    bind = op.get_bind()
    first_held = sa.select(sessions.c.course_id, sa.func.min(sessions.c.held_on)).group_by(sessions.c.course_id)
    first_sessions = dict(bind.execute(first_held).all())
    required = bind.execute(
        sa.select(courses.c.course_id, courses.c.created_at).where(courses.c.required.is_(True))
    ).all()
    for course_id, created_at in required:
        years = [_year(created_at), _year(first_sessions.get(course_id))]
        if course_id == PLAN_COURSE:
            years.append(PLAN_YEAR)
        known = [y for y in years if y is not None]
        if known:
            bind.execute(courses.update().where(courses.c.course_id == course_id).values(required_from=min(known)))


def _year(value) -> int | None:
    """The year of a date or datetime (SQLite may hand back an ISO string)."""
    if value is None:
        return None
    return value.year if hasattr(value, "year") else int(str(value)[:4])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guidance_township_code"))
        batch_op.drop_index(batch_op.f("ix_guidance_agency_code"))
    op.drop_table("guidance")
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_column("domains")
        batch_op.drop_column("appointed_on")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("required_until")
        batch_op.drop_column("required_from")
