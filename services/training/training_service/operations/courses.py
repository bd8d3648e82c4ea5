"""Training categories and courses (the catalogue)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.training import courses as courses_contract
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .common import columns, get_or_404, known, new_id


def _category_row(c: m.Category, settings: Settings) -> dict:
    return columns(c, yearly_minimum_hours=settings.policy.yearly_hours.get(c.code))


def _category(c: m.Category, settings: Settings) -> dict:
    return courses_contract.Category().dump(_category_row(c, settings))


def list_categories(session, settings: Settings, query: dict) -> dict:
    """A page of categories by code, each with its yearly threshold (a setting), if any."""
    total = session.execute(select(func.count()).select_from(m.Category)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    stmt = select(m.Category).order_by(m.Category.code).offset((number - 1) * per_page).limit(per_page)
    rows = [_category_row(c, settings) for c in session.execute(stmt).scalars()]
    return common.page(courses_contract.Category, rows, total, query)


def create_category(tx, actor: dict, data: dict, settings: Settings) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Category, data["code"]) is not None:
        raise Conflict(f"category {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Category.code).where(m.Category.name == data["name"])).first():
        raise Conflict(f"a category named {data['name']} already exists", {"name": ["already exists"]})
    category = m.Category(code=data["code"], name=data["name"])
    tx.session.add(category)
    tx.emit(courses_contract.CATEGORY_CREATED, {"code": category.code, "name": category.name}, subject=category.code)
    return _category(category, settings)


def announce_course(tx, course: m.Course) -> None:
    tx.emit(courses_contract.COURSE_CREATED, courses_contract.CourseCreated().dump(course), subject=course.course_id)


def _required_years(data: dict, today: date | None) -> tuple[int | None, int | None]:
    """A required course's years (from defaults to this year); refused when they make no sense."""
    required = bool(data.get("required"))
    since, until = data.get("required_from"), data.get("required_until")
    problems = rules.required_years_problems(required, since, until)
    if required and since is None:
        since = (today or date.today()).year
        if until is not None and until < since:
            problems["required_until"] = f"must not be before required_from ({since})"
    if problems:
        raise ValidationFailed(
            "invalid required years: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
            {k: [v] for k, v in problems.items()},
        )
    return since, until


def create_course(tx, actor: dict, data: dict, course_id: str | None = None, today: date | None = None) -> dict:
    access.require_write(actor, actor.get("agency_code") or "")  # admins only; which agency is checked per session
    if data.get("required"):
        access.require_bureau(actor)  # what every officer must attend is the bureau's decision
    known(tx.session, m.Category, data["category_code"], "category_code", "category")
    required_from, required_until = _required_years(data, today)
    course = m.Course(
        course_id=course_id or new_id(),
        title=data["title"],
        category_code=data["category_code"],
        kind=data.get("kind", "training"),
        required=bool(data.get("required")),
        required_from=required_from,
        required_until=required_until,
        counts_hours=data.get("counts_hours", True),
        description=data.get("description", ""),
        created_by=actor["username"],
    )
    tx.session.add(course)
    announce_course(tx, course)
    return courses_contract.Course().dump(course)


def change_required_years(tx, actor: dict, course_id: str, data: dict, today: date) -> dict:
    """The bureau makes a course required (in some years) or no longer required; each year's compliance follows."""
    access.require_bureau(actor)
    course = get_or_404(tx.session, m.Course, course_id, "course")
    since, until = _required_years(data, today)
    course.required, course.required_from, course.required_until = bool(data["required"]), since, until
    tx.emit(
        courses_contract.COURSE_REQUIRED_YEARS_CHANGED,
        {"course_id": course.course_id, "required": course.required, "required_from": since, "required_until": until},
        subject=course.course_id,
    )
    return courses_contract.Course().dump(course)


def list_courses(session, query: dict) -> dict:
    """A page of courses by title, filtered by category, kind or whether required."""
    stmt = select(m.Course)
    for key in ("category_code", "kind", "required"):
        if query.get(key) is not None:
            stmt = stmt.where(getattr(m.Course, key) == query[key])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    stmt = stmt.order_by(m.Course.title, m.Course.course_id).offset((number - 1) * per_page).limit(per_page)
    return common.page(courses_contract.Course, session.execute(stmt).scalars().all(), total, query)


def read_course(session, course_id: str) -> dict:
    return courses_contract.Course().dump(get_or_404(session, m.Course, course_id, "course"))
