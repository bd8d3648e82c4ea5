"""Per-agency yearly facts for the assessment and the statistics report.

Local facts come from this service's tables by one GROUP BY each (the promptness counts are the gauges' own,
``operations.promptness.on_time_counts``, read from the covering index ``ix_promptness_year``); remote facts from the
personnel, training and cases services through a
``FactSource`` — ``RpcFactSource`` over timed RPC in the service, anything with the same methods elsewhere (the
benchmark). A source that does not answer is ``Unavailable``: no assessment is computed from half the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import Integer, cast, func, or_, select

from enforcement_kernel.rpc import every_item

from . import models as m
from . import reports_models as rm
from .assessment import AgencyFacts
from .operations.promptness import on_time_by_agency, on_time_counts

#: how this service asks the others for county-wide figures (the services' access rule lets "system" see all)
SYSTEM_ACTOR = {"username": "supervision", "role": "system", "agency_code": None, "officer_id": None}


class FactSource(Protocol):
    def agencies(self) -> list[dict]: ...  # personnel.list_agencies rows: code, name, is_supervisor, is_police
    def certification(self, year: int) -> list[dict]: ...  # personnel.agency_certification_facts
    def training(self, year: int) -> list[dict]: ...  # training.compliance_summary(...)["agencies"]
    def cases(self, year: int) -> list[dict]: ...  # cases.agency_case_facts
    def type_names(self) -> dict[str, str]: ...  # cases.list_item_types: code -> name


class RpcFactSource:
    """The other services over timed RPC (``enforcement_kernel.rpc.Rpc``): Unavailable after RPC_TIMEOUT."""

    def __init__(self, cluster):
        self.cluster = cluster

    def agencies(self) -> list[dict]:
        return every_item(lambda page: self.cluster.personnel.list_agencies(SYSTEM_ACTOR, page))

    def certification(self, year: int) -> list[dict]:
        return self.cluster.personnel.agency_certification_facts(SYSTEM_ACTOR, year)

    def training(self, year: int) -> list[dict]:
        return self.cluster.training.compliance_summary(SYSTEM_ACTOR, year)["agencies"]

    def cases(self, year: int) -> list[dict]:
        return self.cluster.cases.agency_case_facts(SYSTEM_ACTOR, year)

    def type_names(self) -> dict[str, str]:
        return {t["code"]: t["name"] for t in every_item(self.cluster.cases.list_item_types)}


def local_facts(session, year: int) -> dict[str, dict]:
    """This service's figures per agency for a calendar year: items (and how many fell overdue or were answered
    late), complaints (received, concluded, upheld), promptness measurements (all and on time), survey score."""
    out: dict[str, dict] = {}

    def agency(code: str) -> dict:
        return out.setdefault(code, {})

    I = m.SupervisionItem
    late = or_(I.overdue, I.answered_on_time.is_(False))
    for code, n, n_late in session.execute(
        select(I.agency_code, func.count(), func.sum(cast(late, Integer))).where(I.year == year).group_by(I.agency_code)
    ).all():
        agency(code).update(items=int(n), items_overdue=int(n_late or 0))
    C = m.Complaint
    for code, n, concluded, upheld in session.execute(
        select(C.agency_code, func.count(), func.count(C.concluded_on), func.sum(cast(C.outcome == m.UPHELD, Integer)))
        .where(C.year == year)
        .group_by(C.agency_code)
    ).all():
        agency(code).update(complaints=int(n), complaints_concluded=int(concluded), complaints_upheld=int(upheld or 0))
    for code, (n, ok) in on_time_by_agency(on_time_counts(session, year)).items():
        agency(code).update(promptness_measurements=n, promptness_on_time=ok)
    S = rm.SatisfactionSurvey
    for code, score in session.execute(select(S.agency_code, S.score).where(S.year == year)).all():
        agency(code)["satisfaction_score"] = float(score)
    return out


def assessed_agencies(agencies: Iterable[dict]) -> list[dict]:
    """Every enforcement agency; the justice bureau supervises and is not assessed with them."""
    return [a for a in agencies if not a.get("is_supervisor")]


def merge(
    year: int,
    agencies: list[dict],
    local: dict[str, dict],
    certification: list[dict],
    training: list[dict],
    cases: list[dict],
) -> list[AgencyFacts]:
    """One ``AgencyFacts`` per assessed agency, in code order; facts about agencies not listed are ignored."""
    by_code = {
        a["code"]: AgencyFacts(agency_code=a["code"], agency_name=a.get("name", ""))
        for a in sorted(assessed_agencies(agencies), key=lambda a: a["code"])
    }
    for code, values in local.items():
        if code in by_code:
            for key, value in values.items():
                setattr(by_code[code], key, value)
    for row in certification:
        if (f := by_code.get(row["agency_code"])) is not None:
            f.officers, f.certified = row["officers"], row["certified"]
            f.certificates_issued, f.certificates_cancelled = row["certificates_issued"], row["certificates_cancelled"]
    for row in training:
        if (f := by_code.get(row["agency_code"])) is not None:
            f.training_officers, f.training_compliant = row["officers"], row["compliant"]
    for row in cases:
        if (f := by_code.get(row["agency_code"])) is not None:
            f.cases_by_type = {
                t["type_code"]: {k: t[k] for k in ("cases", "decided", "fined", "fine_total")} for t in row["by_type"]
            }
            f.decisions = row["decisions"]
            f.publications, f.publications_on_time = row["publications"], row["publications_on_time"]
            f.review_grades = dict(row["review_grades"])
            f.review_files = sum(f.review_grades.values())
            f.reversed_by_ground = dict(row["changed_by_ground"])
            f.decisions_reversed = row["decisions_reversed"]
            kinds = (row.get("followups") or {}).values()  # absent from an older cases service: none
            f.followups_opened = sum(k.get("opened", 0) for k in kinds)
            f.followups_closed = sum(k.get("closed", 0) for k in kinds)
            f.followups_overdue = sum(k.get("overdue", 0) for k in kinds)
            f.followup_exemptions = sum(k.get("exemptions", 0) for k in kinds)
    return list(by_code.values())


def gather(local: dict[str, dict], source: FactSource, year: int) -> list[AgencyFacts]:
    """The local facts (read before, in a session not held across the calls) merged with the remote ones."""
    return merge(year, source.agencies(), local, source.certification(year), source.training(year), source.cases(year))
