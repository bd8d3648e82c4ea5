"""Training categories and courses (the catalogue)."""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts.errors import Conflict
from enforcement_contracts.training import courses as courses_contract
from enforcement_kernel import access

from .. import models as m
from ..settings import Settings
from .common import columns, get_or_404, known, new_id


def _category(c: m.Category, settings: Settings) -> dict:
    return courses_contract.Category().dump(columns(c, yearly_minimum_hours=settings.policy.yearly_hours.get(c.code)))


def list_categories(session, settings: Settings) -> list[dict]:
    return [_category(c, settings) for c in session.execute(select(m.Category).order_by(m.Category.code)).scalars()]


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


def create_course(tx, actor: dict, data: dict, course_id: str | None = None) -> dict:
    access.require_write(actor, actor.get("agency_code") or "")  # admins only; which agency is checked per session
    if data.get("required"):
        access.require_bureau(actor)  # what every officer must attend is the bureau's decision
    known(tx.session, m.Category, data["category_code"], "category_code", "category")
    course = m.Course(
        course_id=course_id or new_id(),
        title=data["title"],
        category_code=data["category_code"],
        kind=data.get("kind", "training"),
        required=bool(data.get("required")),
        counts_hours=data.get("counts_hours", True),
        description=data.get("description", ""),
        created_by=actor["username"],
    )
    tx.session.add(course)
    announce_course(tx, course)
    return courses_contract.Course().dump(course)


def list_courses(session, query: dict) -> list[dict]:
    stmt = select(m.Course).order_by(m.Course.title, m.Course.course_id)
    for key in ("category_code", "kind", "required"):
        if query.get(key) is not None:
            stmt = stmt.where(getattr(m.Course, key) == query[key])
    return courses_contract.Course(many=True).dump(session.execute(stmt).scalars())


def read_course(session, course_id: str) -> dict:
    return courses_contract.Course().dump(get_or_404(session, m.Course, course_id, "course"))
