"""How dates, money, ratios and ID numbers look on screen (the county's conventions): Jinja filters."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar


def as_date(value) -> date | None:
    if value in (None, "") or not str(value):  # (a template's undefined field reads as "")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def date_cn(value) -> str:
    """2026年11月29日; a dash for no date."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def datetime_cn(value) -> str:
    """2026年11月29日 14:05 (the API's times are UTC; shown in Beijing time)."""
    if value in (None, ""):
        return "—"
    from datetime import timedelta, timezone

    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(timezone(timedelta(hours=8)))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def yuan(value) -> str:
    """60,000.00 元"""
    if value in (None, ""):
        return "—"
    return f"{float(value):,.2f} 元"


def percent(value, digits: int = 1) -> str:
    """A ratio 0..1 as 76.5%."""
    if value in (None, ""):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def masked_id(value) -> str:
    """An ID card number as 140928********351X (the API already masks; this never shows more than it)."""
    if not value:
        return "—"
    text = str(value)
    if "*" in text or len(text) < 10:
        return text
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def county_today() -> date:
    """The county's day (Beijing time), whatever the host's zone; the configured ``TODAY`` when one is pinned."""
    from datetime import timedelta, timezone

    from flask import current_app, has_app_context

    if has_app_context() and current_app.config["SETTINGS"].today:
        return current_app.config["SETTINGS"].today
    return datetime.now(timezone(timedelta(hours=8))).date()


def deadline(due) -> str:
    """``deadline_cn`` counted from the county's today (the templates' ``deadline``)."""
    return deadline_cn(due, county_today())


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (make-up working days count; holidays do not);
    negative when ``end`` is before ``start``."""
    if end == start:
        return 0
    if end > start:
        return len(chinese_calendar.get_workdays(start, end)) - (1 if chinese_calendar.is_workday(start) else 0)
    return -working_days_between(end, start)


def deadline_cn(due, today: date) -> str:
    """还剩 3 个工作日 / 今天到期 / 已超期 2 个工作日."""
    day = as_date(due)
    if day is None:
        return "—"
    if day == today:
        return "今天到期"
    try:
        days = working_days_between(today, day)
    except NotImplementedError:  # a year chinese_calendar has no holidays for yet: count calendar days
        days = (day - today).days
        return f"还剩 {days} 日" if days > 0 else f"已超期 {-days} 日"
    if days > 0:
        return f"还剩 {days} 个工作日"
    if day > today:
        return "节假日后到期"
    return f"已超期 {max(1, -days)} 个工作日"


FILTERS = {
    "date_cn": date_cn,
    "datetime_cn": datetime_cn,
    "yuan": yuan,
    "percent": percent,
    "masked_id": masked_id,
}
