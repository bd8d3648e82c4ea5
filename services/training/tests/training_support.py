"""What the training service's interface tests share: the agencies and dates they use, officers announced as the
personnel service announces them, a session held by the bureau, a spreadsheet of attendance."""

from __future__ import annotations

import base64
import uuid
from datetime import date

from enforcement_testing import BUREAU, RUN_DATE, db_count, publish_event, wait_until

from enforcement_contracts import personnel
from training_service.spreadsheets import TEMPLATE_HEADERS, write_table

MARKET, FARM = "140928-scjgj", "140928-nyncj"
TODAY = RUN_DATE
YEAR = TODAY.year
REQUIRED = "gbf-2023-27"
WRITE_TABLES = ("attendance", "attendance_versions", "attendance_imports", "officer_years", "outbox_events")
MARKET_ADMIN = {"username": "market-admin", "role": "agency_admin", "agency_code": MARKET}


def register_officers(amqp_uri, database_url, count: int, agency: str = MARKET, prefix: str = "o") -> list[str]:
    """Announce officers as the personnel service does, and wait until training knows them all."""
    ids = [f"{prefix}{uuid.uuid4().hex[:12]}{i:04d}"[:32] for i in range(count)]
    before = db_count(database_url, "officers")
    for officer_id in ids:
        publish_event(
            amqp_uri,
            personnel.OFFICER_REGISTERED,
            {
                "officer_id": officer_id,
                "agency_code": agency,
                "name": f"执法员{officer_id[-4:]}",
                "position": "科员",
                "domains": ["market_supervision"],
                "is_police": False,
            },
        )
    wait_until(
        lambda: db_count(database_url, "officers") == before + count,
        timeout=60,
        message=f"{count} officers in the training read model",
    )
    return ids


def bureau_session(
    cluster,
    category: str = "public_law",
    hours: float = 8,
    held_on: date = TODAY,
    course_id: str | None = None,
    ends_on: date | None = None,
) -> dict:
    if course_id is None:
        course_id = cluster.training.create_course(
            BUREAU, {"title": f"{category} 专题培训 {uuid.uuid4().hex[:6]}", "category_code": category}
        )["course_id"]
    return cluster.training.create_session(
        BUREAU,
        {
            "course_id": course_id,
            "held_on": held_on.isoformat(),
            "ends_on": (ends_on or held_on).isoformat(),
            "hours": hours,
            "delivery": "online",
            "organiser": {"kind": "bureau", "agency_codes": []},
        },
    )


def xlsx(rows) -> str:
    return base64.b64encode(write_table("attendance", TEMPLATE_HEADERS, rows)).decode()
