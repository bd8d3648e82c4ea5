"""What the cases service asks the personnel service, over the kernel's timed RPC.

Decision (see README): certificates are checked by asking personnel ``may_enforce`` at the moment a case is
reported or a stage is recorded, not from a local read model. Personnel owns the rule (status on a past date read
from the certificate's history, expiry, domains, departures, police officers enforcing with their police card in the
police bureau's domains) and its history; a copy here would duplicate that rule and miss the events
published before this service's queues existed. While personnel is down the kernel's ``Rpc`` gives up after
``RPC_TIMEOUT`` with ``Unavailable`` (HTTP 503) and nothing is written: the agency reports the case again.
"""

from __future__ import annotations

from datetime import date

from enforcement_contracts.errors import NotFound
from enforcement_kernel.rpc import every_item

#: How this service identifies itself to personnel: it reads across agencies on the caller's behalf and
#: applies the caller's own scope itself (``kernel.access``).
SYSTEM = {"username": "cases-service", "role": "system", "agency_code": None, "officer_id": None}


class PersonnelPort:
    """The few personnel calls a request needs, each answered once per request (a report checks every officer
    on every date they acted; the same question is not sent twice)."""

    def __init__(self, services):
        self._rpc = services
        self._officers: dict[str, dict | None] = {}
        self._may: dict[tuple, dict] = {}
        self._reviewers: dict[str, list[dict]] = {}
        self._agencies: list[dict] | None = None

    @property
    def _personnel(self):
        return self._rpc.personnel

    def officer(self, officer_id: str) -> dict | None:
        """The officer's record, or None when personnel does not know the id."""
        if officer_id not in self._officers:
            try:
                self._officers[officer_id] = self._personnel.get_officer(SYSTEM, officer_id)
            except NotFound:
                self._officers[officer_id] = None
        return self._officers[officer_id]

    def may_enforce(self, officer_id: str, domain: str, on_date: date) -> dict:
        key = (officer_id, domain, on_date)
        if key not in self._may:
            self._may[key] = self._personnel.may_enforce(
                {"officer_id": officer_id, "domain": domain, "on_date": on_date.isoformat()}
            )
        return self._may[key]

    def legal_reviewers(self, agency_code: str) -> list[dict]:
        if agency_code not in self._reviewers:
            self._reviewers[agency_code] = every_item(
                lambda page: self._personnel.list_legal_reviewers(SYSTEM, agency_code, page)
            )
        return self._reviewers[agency_code]

    def agencies(self) -> list[dict]:
        if self._agencies is None:
            self._agencies = every_item(lambda page: self._personnel.list_agencies(SYSTEM, page))
        return self._agencies

    def active_officers(self, agency_code: str) -> list[dict]:
        """Every active officer of an agency (the inspector pool of a draw), page by page."""
        filters = {"agency_code": agency_code, "status": "active"}
        return every_item(lambda page: self._personnel.list_officers(SYSTEM, {**filters, **page}))


def officer_problems(
    port: PersonnelPort, officer_id: str, agency_codes: str | set[str], domain: str, dates: list[date]
) -> list[str]:
    """Why this officer may not act here on these dates (empty: certified throughout). ``agency_codes``: the
    agency the officer must belong to (several for a joint inspection)."""
    allowed = {agency_codes} if isinstance(agency_codes, str) else set(agency_codes)
    record = port.officer(officer_id)
    if record is None or record["agency_code"] not in allowed:
        # one answer for an unknown officer and another agency's: neither their name nor their agency is told
        return [f"officer {officer_id} not found in the acting agency"]
    who = f"officer {record['name']} ({officer_id})"
    problems = []
    departed = record.get("departed_on")
    for day in sorted(set(dates)):
        if departed and day >= date.fromisoformat(departed):
            problems.append(f"{who} had left the enforcement post on {departed} and cannot act on {day.isoformat()}")
            continue
        answer = port.may_enforce(officer_id, domain, day)
        if not answer["allowed"]:
            problems.append(f"{who} may not enforce {domain} on {day.isoformat()}: {answer['reason']}")
    return problems
