"""Automatic supervision: the other services' events (late obligations, missed deadlines, failing case files, filings
to review, officers short of training, repeated inspections) open an item, or add an occurrence to the open one of
the same cause."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import models as m
from .. import rules
from .common import Settings
from .items import add_history, emit_changed, new_item
from .promptness import land_measurement, land_missed


def open_or_update(
    tx,
    *,
    agency_code: str,
    kind: str,
    title: str,
    body: str,
    origin: str,
    key: str,
    details: dict,
    settings: Settings,
    today: date,
    complaint_id: int | None = None,
) -> m.SupervisionItem:
    """The open item of this cause gets one more occurrence; without one, a new item is issued."""
    item = tx.session.execute(select(m.SupervisionItem).where(m.SupervisionItem.open_key == key)).scalars().first()
    if item is None:
        return new_item(
            tx,
            agency_code=agency_code,
            kind=kind,
            title=title,
            body=body,
            deadline_workdays=settings.automatic_deadline_workdays,
            today=today,
            by="system",
            origin=origin,
            origin_key=key,
            details=details,
            complaint_id=complaint_id,
        )
    item.occurrences += 1
    merged = dict(item.details or {})
    for name, value in details.items():
        if isinstance(value, list):
            merged[name] = sorted(set(merged.get(name, [])) | set(value))
        else:
            merged[name] = value
    item.details = merged
    add_history(tx, item, "recurred", today, "system", body)
    emit_changed(tx, item, "recurred", today)
    return item


# promptness kinds that open an item when late (measured late, or their deadline found missed): (item kind, title)
LATE_KINDS = {
    "certificate_cancelled": ("rectification", "执法证未及时注销"),
    "certificate_application_decided": ("rectification", "执法证申领未按时审核"),
    "case_decided": ("rectification", "案件未在法定期限内作出决定"),
    "decision_served": ("rectification", "行政执法决定未按时送达"),
    "decision_published": ("rectification", "行政处罚决定未按时公开"),
    "publication_withdrawn": ("rectification", "变更或撤销的决定未按时撤回公示"),
    "transfer_decided": ("transfer_followup", "案件移送未及时决定"),
    "transfer_handed_over": ("transfer_followup", "案件移送未及时移交"),
    "transfer_acknowledged": ("transfer_followup", "移送案件未及时接收"),
    "followup_assigned": ("rectification", "错案纠正或责任追究未按时交办"),
    "followup_decided": ("rectification", "错案纠正或责任追究未按时作出处理决定"),
    "followup_closed": ("rectification", "错案纠正或责任追究未按时办结"),
    "complaint_accepted": ("rectification", "投诉举报未按时受理"),
    "complaint_concluded": ("rectification", "投诉举报未按时办结"),
    "annual_report_filed": ("report_request", "行政执法统计年报未按时报送"),
}


def follow_up_late(
    tx, source: str, origin: str, data: dict, settings: Settings, today: date, complaint_id: int | None = None
) -> m.SupervisionItem | None:
    """A late measurement of a watched kind opens its item (or recurs on the one its missed deadline opened), read in
    the obligation's own unit: "transfer t-1: 30.5 h against 24 h (from ... to ...)"."""
    if data["on_time"] or data["kind"] not in LATE_KINDS:
        return None
    item_kind, title = LATE_KINDS[data["kind"]]
    late = rules.lateness(data)
    unit = late["deadline_unit"]
    body = (
        f"{data['reference']}: {rules.in_unit(late['taken'], unit)} against {rules.in_unit(late['deadline'], unit)} "
        f"(from {data['started_on'].isoformat()} to {data['ended_on'].isoformat()})"
    )
    return open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind=item_kind,
        title=title,
        body=body,
        origin=origin,
        key=f"{source}.{data['kind']}:{data['reference']}",
        details={
            "reference": data["reference"],
            "workdays_taken": data["workdays_taken"],
            "deadline_workdays": data["deadline_workdays"],
            **late,
        },
        settings=settings,
        today=today,
        complaint_id=complaint_id,
    )


def on_promptness_measured(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    land_measurement(tx, envelope.id, envelope.source, data)
    follow_up_late(tx, envelope.source, envelope.type, data, settings, today)


def missed_deadline(
    tx,
    event_id: str,
    source: str,
    origin: str,
    data: dict,
    settings: Settings,
    today: date,
    about: str | None = None,
    extra: dict | None = None,
    complaint_id: int | None = None,
) -> None:
    """A deadline passed unmet (``DeadlineMissed`` fields, from any service or this one's own watch): late at once in
    the promptness table and on /metrics, and the item a late measurement of that kind opens, under the same key
    (``<source>.<kind>:<reference>``), so the measurement that follows replaces the late row and recurs on the item.
    A miss of an obligation already measured changes nothing."""
    if land_missed(tx, event_id, source, data) is None or data["kind"] not in LATE_KINDS:
        return
    item_kind, title = LATE_KINDS[data["kind"]]
    unit = data.get("deadline_unit") or "workdays"
    deadline = data.get("deadline")
    body = (
        f"{about or data['reference']}: still open on {data['detected_on'].isoformat()}, due by "
        f"{data['due_on'].isoformat()} (from {data['started_on'].isoformat()})"
    )
    if deadline is not None:
        body += f", deadline {rules.in_unit(deadline, unit)}"
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind=item_kind,
        title=title,
        body=body,
        origin=origin,
        key=f"{source}.{data['kind']}:{data['reference']}",
        details={
            "reference": data["reference"],
            **(extra or {}),
            "started_on": data["started_on"].isoformat(),
            "due_on": data["due_on"].isoformat(),
            "detected_on": data["detected_on"].isoformat(),
            "deadline": deadline,
            "deadline_unit": unit,
        },
        settings=settings,
        today=today,
        complaint_id=complaint_id,
    )


def on_deadline_missed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    """``<service>.deadline.missed``. A cases miss names its case (and the transfer for a transfer leg); its reference
    is the transfer id for a leg, else the case id, as the measurement that follows names it."""
    about, extra = None, {}
    if "case_id" in data:
        data = {**data, "reference": data.get("reference") or data.get("transfer_id") or data["case_id"]}
        extra = {"case_id": data["case_id"]}
        if data.get("transfer_id"):
            about = f"case {data['case_id']}, transfer {data['transfer_id']}"
            extra["transfer_id"] = data["transfer_id"]
    missed_deadline(tx, envelope.id, envelope.source, envelope.type, data, settings, today, about, extra)


def on_review_scored(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    if data["grade"] != "fail":
        return
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title="案卷评查不合格",
        body=f"case {data['case_id']}, file {data['file_id']}: {data['total']} points; "
        f"basic failures: {', '.join(data['basic_failures']) or 'none'}",
        origin=envelope.type,
        key=f"cases.review_file:{data['file_id']}",
        details={
            "case_id": data["case_id"],
            "file_id": data["file_id"],
            "total": data["total"],
            "basic_failures": data["basic_failures"],
        },
        settings=settings,
        today=today,
    )


def on_benchmark_filed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="report_request",
        title="裁量基准备案审查：请报送起草说明",
        body=f"item {data['item_code']} benchmark version {data['version']} "
        f"in force from {data['effective_from'].isoformat()}",
        origin=envelope.type,
        key=f"cases.benchmark:{data['item_id']}",
        details={"item_code": data["item_code"], "versions": [data["version"]]},
        settings=settings,
        today=today,
    )


def on_lenient_list_filed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="report_request",
        title="清单备案审查：请报送调整说明",
        body=f"{data['list_kind']} list: entry {data['entry_id']} ({data['item_code']}) {data['action']}",
        origin=envelope.type,
        key=f"cases.lenient_list:{data['agency_code']}:{data['list_kind']}",
        details={"list_kind": data["list_kind"], "entries": [data["entry_id"]]},
        settings=settings,
        today=today,
    )


def on_officer_short(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title=f"{data['year']}年度执法人员培训学时不足",
        body=f"officer {data['officer_id']}: {'; '.join(data['reasons'])}",
        origin=envelope.type,
        key=f"training.short:{data['agency_code']}:{data['year']}",
        details={"year": data["year"], "officers": [data["officer_id"]]},
        settings=settings,
        today=today,
    )


def on_inspection_recorded(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    repeated = [w for w in data["warnings"] if w["code"] == "repeated"]
    if not repeated:
        return
    year = data["inspected_on"].year
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title="涉企行政检查重复",
        body=f"enterprise {data['credit_code']} inspected again on {data['inspected_on'].isoformat()}: "
        f"{repeated[0]['message']}",
        origin=envelope.type,
        key=f"cases.inspection_repeat:{data['agency_code']}:{data['credit_code']}:{year}",
        details={"credit_code": data["credit_code"], "inspections": [data["inspection_id"]]},
        settings=settings,
        today=today,
    )
