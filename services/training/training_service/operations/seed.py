"""The seeded categories and courses."""

from __future__ import annotations

from enforcement_contracts.training import courses as courses_contract

from .. import models as m
from .courses import announce_course


def seed(tx, categories: list[dict], courses: list[dict]) -> tuple[int, int]:
    added_categories = added_courses = 0
    for data in categories:
        if tx.session.get(m.Category, data["code"]) is None:
            tx.session.add(m.Category(**data))
            tx.emit(courses_contract.CATEGORY_CREATED, data, subject=data["code"])
            added_categories += 1
    tx.session.flush()
    for data in courses:
        if tx.session.get(m.Course, data["course_id"]) is None:
            course = m.Course(**data, created_by="seed")
            tx.session.add(course)
            announce_course(tx, course)
            added_courses += 1
    return added_categories, added_courses
