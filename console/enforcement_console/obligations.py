"""How an obligation with a deadline reads, in its own unit (小时 / 工作日 / 自然日): a supervision item opened by a
late measurement or a missed deadline carries ``taken``, ``deadline`` and ``deadline_unit`` in its details; a complaint
has a deadline to accept (working days) and one to conclude (calendar days). Pure functions, unit-tested; the pages use
them as template globals."""

from __future__ import annotations

from datetime import date

from .formatting import as_date, date_cn, working_days_between

UNIT_WORDS = {"hours": "小时", "workdays": "个工作日", "days": "日（自然日）"}


def amount(value, unit: str | None) -> str:
    """30.5 小时 / 5 个工作日 / 90 日（自然日）."""
    number = float(value)
    text = f"{number:.1f}".rstrip("0").rstrip(".") if unit == "hours" else f"{number:g}"
    return f"{text} {UNIT_WORDS.get(unit or 'workdays', '个工作日')}"


def obligation_text(details: dict | None) -> str | None:
    """The item's obligation in its own unit, or None when the details do not say (an item issued by hand)."""
    details = details or {}
    unit = details.get("deadline_unit")
    if not unit:
        return None
    if details.get("taken") is not None:
        text = f"用时 {amount(details['taken'], unit)}，期限 {amount(details['deadline'], unit)}"
        if details.get("deadline") is not None and float(details["taken"]) > float(details["deadline"]):
            text += f"，超过 {amount(float(details['taken']) - float(details['deadline']), unit)}"
        return text
    if details.get("detected_on"):
        text = f"截至{date_cn(details['detected_on'])}仍未办理，应于{date_cn(details.get('due_on'))}前办理"
        if details.get("deadline") is not None:
            text += f"（期限 {amount(details['deadline'], unit)}"
            text += f"，自{date_cn(details['started_on'])}起算）" if details.get("started_on") else "）"
        return text
    return None


def calendar_deadline(due, today: date) -> str:
    """还剩 12 日 / 今天到期 / 已超期 3 日 (a deadline in calendar days, such as a complaint's conclusion)."""
    day = as_date(due)
    if day is None:
        return "—"
    days = (day - today).days
    if days == 0:
        return "今天到期"
    return f"还剩 {days} 日" if days > 0 else f"已超期 {-days} 日"


def complaint_lateness(complaint: dict, today: date) -> list[str]:
    """What is late about a complaint: accepted (or refused) after its working-day deadline, concluded after its
    calendar-day deadline (with any approved extension), or still open past either."""
    late = []
    accept_due, decided = as_date(complaint.get("accept_due_on")), as_date(complaint.get("decided_on"))
    if accept_due:
        if decided and decided > accept_due:
            late.append(f"超过受理期限 {working_days_between(accept_due, decided)} 个工作日才决定是否受理")
        elif not decided and today > accept_due:
            late.append(f"已超过受理期限 {working_days_between(accept_due, today)} 个工作日，尚未决定是否受理")
    conclude_due, concluded = as_date(complaint.get("conclude_due_on")), as_date(complaint.get("concluded_on"))
    if conclude_due:
        if concluded and concluded > conclude_due:
            late.append(f"超过办结期限 {(concluded - conclude_due).days} 日才办结")
        elif not concluded and complaint.get("state") == "accepted" and today > conclude_due:
            late.append(f"已超过办结期限 {(today - conclude_due).days} 日，尚未办结")
    return late
