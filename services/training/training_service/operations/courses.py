"""Training categories and courses (the catalogue)."""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts import training as contract
from enforcement_contracts.errors import Conflict
from enforcement_kernel import access

from .. import models as m
from ..settings import Settings
from .common import get_or_404, known, new_id


def category_dict(c: m.Category, settings: Settings) -> dict:
    return {"code": c.code, "name": c.name, "yearly_minimum_hours": settings.policy.yearly_hours.get(c.code)}


def list_categories(session, settings: Settings) -> list[dict]:
    return [category_dict(c, settings) for c in session.execute(select(m.Category).order_by(m.Category.code)).scalars()]


def create_category(tx, actor: dict, data: dict, settings: Settings) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Category, data["code"]) is not None:
        raise Conflict(f"category {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Category.code).where(m.Category.name == data["name"])).first():
        raise Conflict(f"a category named {data['name']} already exists", {"name": ["already exists"]})
    category = m.Category(code=data["code"], name=data["name"])
    tx.session.add(category)
    tx.emit(contract.CATEGORY_CREATED, {"code": category.code, "name": category.name}, subject=category.code)
    return category_dict(category, settings)


def course_dict(c: m.Course) -> dict:
    return {
        "course_id": c.course_id,
        "title": c.title,
        "category_code": c.category_code,
        "kind": c.kind,
        "required": c.required,
        "counts_hours": c.counts_hours,
        "description": c.description,
    }


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
    tx.emit(
        contract.COURSE_CREATED,
        {k: v for k, v in course_dict(course).items() if k != "description"},
        subject=course.course_id,
    )
    return course_dict(course)


def list_courses(session, query: dict) -> list[dict]:
    stmt = select(m.Course).order_by(m.Course.title, m.Course.course_id)
    for key in ("category_code", "kind", "required"):
        if query.get(key) is not None:
            stmt = stmt.where(getattr(m.Course, key) == query[key])
    return [course_dict(c) for c in session.execute(stmt).scalars()]


def read_course(session, course_id: str) -> dict:
    return course_dict(get_or_404(session, m.Course, course_id, "course"))
