"""总览: the bureau's county-wide picture of the year; an agency admin's to-do list with deadlines in working days.

Everything comes from the services' own reports through the gateway (promptness, the yearly statistics report,
compliance) and their lists filtered by state; the page adds no rule of its own beyond ordering by deadline.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from flask import Blueprint, render_template, request, url_for
from werkzeug.routing import BuildError

from ..formatting import as_date, working_days_between
from ..formatting import county_today as today
from ..gateway import ApiError
from ..messages import label, sentence
from ..navigation import ADMINS, BUREAU
from ..pages import agency_name, api, role, staff, user

blueprint = Blueprint("overview", __name__, url_prefix="/overview")

NEAR_WORKING_DAYS = 3  # a complaint "near its deadline" has at most this many working days left
MAX_ROWS = 500  # the longest list one call reads (the API's page limit)
TODO_ROWS = 20  # rows of each source on the to-do list; the group says how many there are in all


@blueprint.route("/")
@staff(*ADMINS)
def index():
    year = today().year
    if role() == BUREAU:
        return render_template("overview/bureau.html", title="总览", year=year, **_bureau(year))
    return render_template("overview/agency.html", title="待办事项", year=year, todo=_agency_todo(year))


class Section:
    """One part of the page: its value, or the Chinese sentence of why it could not be read (the rest still shows)."""

    def __init__(self, fetch):
        self.error = None
        try:
            self.value = fetch()
        except ApiError as error:
            if error.status == 401 or error.code == "password_change_required":
                raise  # not this section's problem: the person must log in (again) or change the password first
            self.value, self.error = None, sentence(error)


def _bureau(year: int) -> dict:
    first, now = date(year, 1, 1).isoformat(), today()
    sort = request.args.get("sort", "ratio")
    client = api()  # the person's gateway, handed to the threads (they have no request context)
    fetches = {
        "promptness": lambda: _ratios(
            client.get("/supervision/promptness", {"from": first, "to": now.isoformat()}), sort
        ),
        "report": lambda: client.get("/supervision/annual-reports", {"year": year}),
        "overdue": lambda: client.get("/supervision/items", {"overdue": "true", "per_page": 10}),
        "complaints": lambda: _complaints_near_deadline(client, now),
        "compliance": lambda: client.get("/training/compliance/summary", {"year": year}),
        "applications": lambda: client.get("/certificate-applications", {"state": "pending", "per_page": 10}),
    }
    # the sections ask different services: at once, the page takes as long as the slowest (the yearly report)
    with ThreadPoolExecutor(max_workers=len(fetches)) as pool:
        futures = {name: pool.submit(Section, fetch) for name, fetch in fetches.items()}
    promptness, report, overdue, complaints, compliance, applications = (futures[name].result() for name in fetches)
    sections = {s["code"]: s for s in (report.value or {}).get("sections", [])}
    return {
        "promptness": promptness,
        "chart": json.dumps(_chart(promptness.value or []), ensure_ascii=False),
        "sort": sort,
        "report": report,
        "certificates": (sections.get("certificates") or {}).get("total"),
        "cases_by_type": _cases_by_type(sections.get("cases")),
        "overdue": overdue,
        "complaints": complaints,
        "compliance": compliance,
        "applications": applications,
    }


def _ratios(rows: list[dict], sort: str) -> list[dict]:
    """One row per agency over every kind of obligation (the API answers per agency and kind)."""
    agencies: dict[str, dict] = {}
    for row in rows:
        entry = agencies.setdefault(
            row["agency_code"], {"agency_code": row["agency_code"], "measurements": 0, "on_time": 0}
        )
        entry["measurements"] += row["measurements"]
        entry["on_time"] += row["on_time"]
    table = list(agencies.values())
    for entry in table:
        entry["ratio"] = entry["on_time"] / entry["measurements"] if entry["measurements"] else None
    if sort == "agency":
        table.sort(key=lambda e: e["agency_code"])
    else:  # the least prompt first: those are the ones to follow up
        table.sort(key=lambda e: (e["ratio"] is None, e["ratio"] if e["ratio"] is not None else 0, e["agency_code"]))
    return table


def _chart(table: list[dict]) -> dict:
    """A Chart.js bar chart of the on-time ratios (the table under it has the same numbers)."""
    return {
        "type": "bar",
        "data": {
            "labels": [agency_name(row["agency_code"]) for row in table],
            "datasets": [
                {
                    "label": "按时办结率（%）",
                    "data": [round(row["ratio"] * 100, 1) if row["ratio"] is not None else None for row in table],
                    "backgroundColor": "#8c1c13",
                    "maxBarThickness": 28,
                }
            ],
        },
        "options": {
            "indexAxis": "y",
            "scales": {"x": {"min": 0, "max": 100}},
            "plugins": {"legend": {"display": False}},
        },
    }


def _cases_by_type(section: dict | None) -> list[dict]:
    if not section:
        return []
    totals: dict[str, dict] = {}
    for row in section["rows"]:
        entry = totals.setdefault(
            row["type_code"],
            {
                "type_code": row["type_code"],
                "type_name": row.get("type_name"),
                "cases": 0,
                "decided": 0,
                "fine_total": 0.0,
            },
        )
        entry["cases"] += row.get("cases") or 0
        entry["decided"] += row.get("decided") or 0
        entry["fine_total"] += float(row.get("fine_total") or 0)
    return sorted(totals.values(), key=lambda e: -e["cases"])


def _complaints_near_deadline(client, now: date) -> list[dict]:
    """Complaints whose next deadline (to accept, or to conclude) is at most NEAR_WORKING_DAYS working days away."""
    near, due_by = [], _last_day_within(now, NEAR_WORKING_DAYS)
    for state, due_key in (("registered", "accept_due_on"), ("accepted", "conclude_due_on")):
        query = {"state": state, "due_by": due_by.isoformat(), "per_page": MAX_ROWS}  # not every open complaint
        for complaint in client.get("/supervision/complaints", query)["items"]:
            due = as_date(complaint.get(due_key))
            if due and working_days_between(now, due) <= NEAR_WORKING_DAYS:
                near.append(
                    {**complaint, "due_on": due.isoformat(), "step": "受理" if state == "registered" else "办结"}
                )
    return sorted(near, key=lambda c: c["due_on"])


def _last_day_within(now: date, working_days: int) -> date:
    """The last day at most ``working_days`` working days after ``now`` (the weekend or holiday after the last working
    day included): a deadline up to it is near."""
    day = now
    while working_days_between(now, day + timedelta(days=1)) <= working_days:
        day += timedelta(days=1)
    return day


def _link(endpoint: str, **values) -> str | None:
    """A link to another area's page, or None when that page is not served here."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


class Todo:
    """One group of the to-do list: the first rows of each source, sorted by deadline, and how many there are."""

    def __init__(self, title: str, more: str | None = None):
        self.title, self.more = title, more
        self.rows: list[dict] = []
        self.total = 0
        self.error: str | None = None

    def read(self, path: str, params: dict, row) -> None:
        """Adds the first TODO_ROWS records of one list (``row(record)`` → a row, or None to skip it)."""
        if self.error:
            return
        try:
            page = api().get(path, {**params, "per_page": TODO_ROWS})
        except ApiError as error:
            if error.status == 401 or error.code == "password_change_required":
                raise
            self.error = sentence(error)
            return
        self.total += page["total"]
        self.rows += [r for r in (row(record) for record in page["items"]) if r is not None]

    def done(self) -> Todo:
        self.rows.sort(key=lambda r: (r.get("due_on") is None, r.get("due_on") or ""))
        return self


def _agency_todo(year: int) -> list[Todo]:
    """The agency's open obligations, each with what to do, its deadline and a link to where it is done. Each source is
    read a page at a time (its first TODO_ROWS), filtered by the service; the group says how many there are."""
    agency = user().get("agency_code")

    items = Todo("监督事项待签收、待反馈", _link("supervision.index"))
    for state, step in (("issued", "签收"), ("acknowledged", "反馈"), ("returned", "重新反馈")):
        items.read(
            "/supervision/items",
            {"state": state},
            lambda item, step=step: {
                "what": f"{step}：{item['title']}",
                "kind": label("item_kind", item["kind"]),
                "due_on": item.get("due_on"),
                "link": _link("supervision.item", item_id=item["item_id"]),
            },
        )

    complaints = Todo("投诉举报待受理、待办结", _link("supervision.complaints"))
    for state, step, due_key in (
        ("registered", "受理或不予受理", "accept_due_on"),
        ("accepted", "办结", "conclude_due_on"),
    ):
        complaints.read(
            "/supervision/complaints",
            {"state": state},
            lambda complaint, step=step, due_key=due_key: {
                "what": f"{step}：{complaint['summary'][:40]}",
                "kind": "投诉举报",
                "due_on": complaint.get(due_key),
                "link": _link("supervision.complaint", complaint_id=complaint["complaint_id"]),
            },
        )

    decisions = Todo("执法决定待公示、待撤回", _link("cases.index"))
    for work, step, kind in (("to_publish", "公示决定", "published"), ("to_withdraw", "撤回公示", "withdrawn")):
        decisions.read(
            "/cases",
            {"publication": work, "agency_code": agency},
            lambda case, step=step, kind=kind: {
                "what": f"{step}：{case['case_number']}（{case.get('item_name') or ''}）",
                "kind": "执法决定公示" if kind == "published" else "撤回公示",
                "due_on": _due(case, kind),
                "link": _link("cases.case", case_id=case["case_id"]),
            },
        )

    # transfers to one agency are few: the list has no filter for "handed over to me", so it is read and filtered here
    transfers = Todo("移送案件待签收", _link("cases.transfers"))
    transfers.read(
        "/transfers",
        {},
        lambda transfer: (
            {
                "what": f"签收移送案件（来自{agency_name(transfer['from_agency_code'])}）",
                "kind": "案件移送",
                "due_on": None,
                "link": _link("cases.transfer", transfer_id=transfer["transfer_id"]),
            }
            if transfer["to_agency_code"] == agency and transfer["status"] == "handed_over"
            else None
        ),
    )
    transfers.total = len(transfers.rows)

    training = Todo("学时未达标的执法人员", _link("training.index"))
    training.read(
        "/training/compliance",
        {"year": year, "compliant": "false"},
        lambda officer: {
            "what": f"{officer['name']} 学时未达标（差 {officer['short_hours']} 学时）",
            "kind": "培训",
            "due_on": date(year, 12, 31).isoformat(),
            "link": _link("personnel.officer", officer_id=officer["officer_id"]),
        },
    )

    certificates = Todo("离岗人员待注销的执法证", _link("personnel.officers"))
    for status in ("valid", "suspended"):
        certificates.read(
            "/officers",
            {"status": "departed", "certificate_status": status, "agency_code": agency},
            lambda officer: {
                "what": f"收回 {officer['name']} 的执法证（已离岗）",
                "kind": "执法证注销",
                "due_on": officer.get("departed_on"),
                "link": _link("personnel.officer", officer_id=officer["officer_id"]),
            },
        )
    # refused this year: the agency corrects what the reasons say and applies again
    refused = Todo("未获批准的执法证申请", _link("personnel.applications", state="refused"))
    refused.read(
        "/certificate-applications",
        {"state": "refused"},
        lambda app: (
            {
                "what": f"{app['officer_name']} 的执法证申请不予批准：{app.get('refusal_reason') or ''}"[:80],
                "kind": "执法证申领",
                "due_on": None,
                "link": _link("personnel.application", application_id=app["application_id"]),
            }
            if (as_date(app.get("decided_on")) or date.min).year == year
            else None
        ),
    )
    # a failing case file's correction is the agency's to move on (its accountability record is the bureau's)
    followups = Todo("错案纠正待办理", _link("cases.followups", kind="correction"))
    for state, step in (("opened", "交办"), ("assigned", "作出纠正决定"), ("decided", "办结")):
        followups.read(
            "/reviews/followups",
            {"kind": "correction", "state": state},
            lambda record, step=step: {
                "what": f"{step}：错案纠正第 {record['record_id']} 号（案件 {record['case_number']}）",
                "kind": "错案纠正",
                "due_on": record.get("due_on"),
                "link": _link("cases.followup", record_id=record["record_id"]),
            },
        )
    groups = (items, complaints, decisions, followups, transfers, training, certificates, refused)
    return [group.done() for group in groups]


def _due(case: dict, kind: str) -> str | None:
    """The open deadline of ``kind`` (``published``, ``withdrawn``) as the cases service counts it, if any."""
    for deadline in case.get("deadlines") or []:
        if deadline.get("kind") == kind and not deadline.get("met_on"):
            return deadline.get("due_on")
    return None
