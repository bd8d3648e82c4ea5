"""Training's lists answer a page ``{items, total, page, per_page}``: the second page of one item reads the second
item, and ``total`` counts every item matching (in process, against SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_count, drop_event_queues, publish_event, wait_until

from enforcement_contracts import personnel

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"
TODAY = RUN_DATE
SECOND_PAGE = {"page": 2, "per_page": 1}


@pytest.fixture
def training(database_url, amqp_uri, in_process):
    drop_event_queues(amqp_uri, "training")
    service = in_process("training", database_url)
    publish_event(
        amqp_uri,
        personnel.AGENCY_REGISTERED,
        {"code": MARKET, "name": "县市场监管局", "kind": "department", "is_supervisor": False, "is_police": False},
    )
    officer_id = f"p{uuid.uuid4().hex[:12]}"
    publish_event(
        amqp_uri,
        personnel.OFFICER_REGISTERED,
        {
            "officer_id": officer_id,
            "agency_code": MARKET,
            "name": "执法员甲",
            "position": "科员",
            "domains": ["market_supervision"],
            "is_police": False,
        },
    )
    wait_until(lambda: db_count(database_url, "officers") == 1, message="the officer in the read model")
    service.officer_id = officer_id
    return service


def _session(cluster, course_id: str, held_on: date) -> dict:
    organiser = {"kind": "bureau", "agency_codes": []}
    payload = {"course_id": course_id, "held_on": held_on.isoformat(), "hours": 2, "delivery": "online"}
    return cluster.training.create_session(BUREAU, {**payload, "organiser": organiser})


def test_categories_and_courses_answer_pages(training, cluster):
    every = cluster.training.list_categories({"per_page": 500})
    assert every["page"] == 1 and every["total"] == len(every["items"]) >= 2
    second = cluster.training.list_categories(SECOND_PAGE)
    assert second == {
        "items": [every["items"][1]],
        "total": every["total"],
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }

    category = f"pages_{uuid.uuid4().hex[:8]}"
    cluster.training.create_category(BUREAU, {"code": category, "name": f"分页{category[-8:]}"})
    first, later = (
        cluster.training.create_course(BUREAU, {"title": title, "category_code": category})
        for title in ("甲课程", "乙课程")
    )
    page = cluster.training.list_courses({"category_code": category, **SECOND_PAGE})
    assert page["total"] == 2 and page["page"] == 2 and page["per_page"] == 1
    assert [c["course_id"] for c in page["items"]] == [sorted((first, later), key=lambda c: c["title"])[1]["course_id"]]
    assert cluster.training.list_courses({"category_code": category})["total"] == 2


def test_attendance_and_exams_answer_pages(training, cluster):
    officer_id = training.officer_id
    course = cluster.training.create_course(BUREAU, {"title": "分页课程", "category_code": "public_law"})
    earlier, later = (_session(cluster, course["course_id"], TODAY - timedelta(days=d)) for d in (1, 0))
    for session in (earlier, later):
        cluster.training.record_attendance(
            BUREAU, {"officer_id": officer_id, "session_id": session["session_id"], "hours": 2}
        )
    every = cluster.training.officer_attendance(BUREAU, officer_id, None, {"per_page": 10})
    assert every["total"] == 2 and len(every["items"]) == 2
    page = cluster.training.officer_attendance(BUREAU, officer_id, None, SECOND_PAGE)
    assert page == {
        "items": [every["items"][1]],
        "total": 2,
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }
    assert cluster.training.officer_attendance(BUREAU, officer_id)["total"] == 2  # query and year stay optional

    sittings = [
        cluster.training.schedule_exam(
            BUREAU, {"exam_kind": kind, "title": f"{kind} 考试", "sat_on": (TODAY - timedelta(days=days)).isoformat()}
        )
        for kind, days in (("qualification", 20), ("renewal", 10))
    ]
    for sitting in sittings:
        cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": officer_id, "score": 70})
    listed = cluster.training.list_exams(SECOND_PAGE)
    assert listed["total"] == 2 and [s["sitting_id"] for s in listed["items"]] == [sittings[0]["sitting_id"]]
    assert cluster.training.list_exams()["total"] == 2
    results = cluster.training.officer_exam_results(BUREAU, officer_id, SECOND_PAGE)
    assert results["total"] == 2 and results["page"] == 2 and results["per_page"] == 1
    assert [r["sitting_id"] for r in results["items"]] == [sittings[1]["sitting_id"]]
