"""Import of reported cases from a spreadsheet: every row checked like a report, all or nothing."""

from __future__ import annotations

from datetime import date

from marshmallow import ValidationError
from sqlalchemy import select

from enforcement_contracts.cases import procedure as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.crypto import PersonalDataCipher
from enforcement_kernel.spreadsheets import DEFAULT_LIMITS, Limits

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import cataloguing
from .cases import check_officers, report_dates
from .catalogue import get_type, item_versions
from .common import Settings
from .reporting import report_case


class DryRun(Exception):
    """Raised to roll back a dry run's transaction once every row passed."""

    def __init__(self, result: dict):
        super().__init__("dry run")
        self.result = result


def _flatten(messages, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as (dotted field, message) pairs; list indexes are dropped."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = (
                prefix
                if isinstance(key, int) or (isinstance(key, str) and key.isdigit())
                else (f"{prefix}.{key}" if prefix else str(key))
            )
            out += _flatten(value, name)
        return out
    if isinstance(messages, (list, tuple)):
        return [pair for m_ in messages for pair in _flatten(m_, prefix)]
    return [(prefix or "_schema", str(messages))]


def _prefetch(session, personnel: PersonnelPort, rows, scope: str | None) -> None:
    """Ask personnel everything the rows will need while nothing is written yet; the rows then read the answers
    from the port's cache (no RPC while the import's transaction holds the database)."""
    agencies = {row.agency_code or scope for row in rows} - {None}
    if any(session.get(m.Agency, code) is None for code in agencies):
        personnel.agencies()
    for row in rows:
        agency_code = row.agency_code or scope
        if row.problems or agency_code is None:
            continue
        item = (
            session.execute(select(m.Item).where(m.Item.agency_code == agency_code, m.Item.code == row.item_code))
            .scalars()
            .first()
        )
        filed = row.payload.get("filed_on")
        if item is None or filed is None:
            continue
        try:
            data = contract.CaseReport().load({**row.payload, "agency_code": agency_code, "item_id": item.item_id})
        except ValidationError:
            continue  # reported with the row later
        span = cataloguing.version_in_force(
            [
                cataloguing.VersionSpan(v.version, v.effective_from, v.effective_to)
                for v in item_versions(session, item.item_id)
            ],
            data["filed_on"],
        )
        if span is not None:
            domain = next(v.domain for v in item_versions(session, item.item_id) if v.version == span.version)
            check_officers(personnel, data["officers"], agency_code, domain, report_dates(data), {})


def import_cases(
    tx,
    actor: dict,
    content: bytes,
    settings: Settings,
    personnel: PersonnelPort,
    cipher: PersonalDataCipher,
    today: date,
    max_rows: int = 5000,
    dry_run: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """Every row is checked like a report; if any row is refused nothing is imported and every problem is listed by
    row and column. Rows later in the sheet see the earlier ones (a repeat offence within the sheet counts)."""
    # Over 50 lines: all rows or none; parsing, every row's checks and the writes share the row errors.
    from .. import spreadsheets

    try:
        rows = spreadsheets.read_cases(content, max_rows, limits)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationFailed(str(exc), {"file": [str(exc)]}) from None
    if not rows:
        raise ValidationFailed("the sheet has no case rows", {"file": ["no rows below the header"]})
    scope = access.scope_agency(actor) if not access.sees_all(actor) else None
    problems: list[dict] = []
    imported: list[str] = []

    def refuse(row, column, reason):
        problems.append({"row": row.number, "column": column, "reason": reason})

    _prefetch(tx.session, personnel, rows, scope)
    numbers: dict[tuple, int] = {}
    for row in rows:
        for column, reason in row.problems:
            refuse(row, column, reason)
        agency_code = row.agency_code or scope
        if agency_code is None:
            refuse(row, "agency_code", "missing (the bureau names each row's agency)")
            continue
        key = (agency_code, row.payload.get("case_number"))
        if key in numbers:
            refuse(row, "case_number", f"the same case number as row {numbers[key]}")
            continue
        numbers[key] = row.number
        if row.problems:
            continue
        item = (
            tx.session.execute(select(m.Item).where(m.Item.agency_code == agency_code, m.Item.code == row.item_code))
            .scalars()
            .first()
        )
        if item is None:
            refuse(row, "item_code", f"no item {row.item_code} in {agency_code}'s catalogue")
            continue
        payload = {**row.payload, "agency_code": agency_code, "item_id": item.item_id}
        decision = payload.get("decision")
        if (
            decision
            and not get_type(tx.session, item.type_code).penalty_procedure
            and not decision["penalty"]["kinds"]
            and decision["penalty"]["fine_amount"] is None
        ):
            payload["decision"] = {"decided_on": decision["decided_on"]}  # not a penalty case: no penalty columns
        try:
            data = contract.CaseReport().load(payload)
            result = report_case(tx, actor, data, settings, personnel, cipher, today)
            imported.append(result["case_id"])
        except ValidationError as exc:
            for name, message in _flatten(exc.messages):
                refuse(row, spreadsheets.column_of(name), message)
        except (ValidationFailed, Conflict, NotFound, Forbidden) as exc:
            pairs = _flatten(exc.fields) if exc.fields else [("_row", exc.message)]
            for name, message in pairs:
                refuse(row, spreadsheets.column_of(name), message)
    if problems:
        rows_refused = len({p["row"] for p in problems})
        raise ValidationFailed(
            f"{rows_refused} of {len(rows)} rows were refused; nothing was imported", {"rows": problems}
        )
    result = {"rows": len(rows), "imported": len(imported), "case_ids": imported, "dry_run": dry_run}
    if dry_run:
        raise DryRun(result)
    return result
