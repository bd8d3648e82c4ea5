"""The built-in indicators of the yearly assessment (评议考核), each an entry point in the group
``enforcement.supervision.indicators`` (services/supervision/pyproject.toml).

Most are a rate between two thresholds (``assessment.linear``): ``full_at`` earns the whole weight, ``zero_at``
none, linear between; the defaults below are overridden per indicator by ``ASSESSMENT.params.<code>``.
A county adds its own indicator by installing a package with an object of the same shape under that group.

Each indicator tells a clean record from nothing to measure: a rate whose denominator is 0 (no officers in post, no
decision, no item issued, no complaint concluded, no file reviewed, no measurement, no survey) is ``Measure(None)``,
no data, and weighs nothing in the total (``assessment.reweigh``); a denominator above 0 with nothing wrong (items
issued, none overdue) is a ratio like any other, and earns its points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .assessment import AgencyFacts, Measure, linear, rate


def _thresholds(params: Mapping[str, Any], full_at: float, zero_at: float) -> tuple[float, float]:
    return float(params.get("full_at", full_at)), float(params.get("zero_at", zero_at))


@dataclass(frozen=True)
class RateIndicator:
    """A share of good (or bad) outcomes, scored between two thresholds."""

    code: str
    title: str
    part: str  # AgencyFacts field counted
    whole: str  # AgencyFacts field it is a share of
    full_at: float
    zero_at: float
    counted: str  # words for the detail line: "3 certified of 4 officers in post"
    of: str

    def measure(self, facts: AgencyFacts, params: Mapping[str, Any]) -> Measure:
        part, whole = getattr(facts, self.part), getattr(facts, self.whole)
        share = rate(part, whole)
        if share is None:
            return Measure(None, f"no {self.of}")
        full_at, zero_at = _thresholds(params, self.full_at, self.zero_at)
        return Measure(linear(share, full_at, zero_at), f"{part} {self.counted} of {whole} {self.of} ({share:.1%})")


CERTIFICATION = RateIndicator(
    "certification", "持证率 certification rate", "certified", "officers", 1.0, 0.5, "certified", "officers in post"
)
TRAINING = RateIndicator(
    "training",
    "培训达标率 training compliance",
    "training_compliant",
    "training_officers",
    1.0,
    0.5,
    "compliant",
    "officers",
)
PUBLICATION = RateIndicator(
    "publication",
    "按时公示率 on-time publication",
    "publications_on_time",
    "publications",
    1.0,
    0.5,
    "on time",
    "decisions published",
)
OVERDUE_ITEMS = RateIndicator(
    "overdue_items",
    "督办事项逾期 overdue supervision items",
    "items_overdue",
    "items",
    0.0,
    0.3,
    "overdue",
    "supervision items",
)
COMPLAINTS_UPHELD = RateIndicator(
    "complaints_upheld",
    "投诉举报查实 complaints upheld",
    "complaints_upheld",
    "complaints_concluded",
    0.0,
    0.5,
    "upheld",
    "complaints concluded",
)
DECISIONS_REVERSED = RateIndicator(
    "decisions_reversed",
    "复议诉讼纠错 decisions reversed",
    "decisions_reversed",
    "decisions",
    0.0,
    0.05,
    "reversed on reconsideration or litigation",
    "decisions",
)
FOLLOWUPS_OVERDUE = RateIndicator(
    "followups_overdue",
    "错案纠正与责任追究逾期 overdue corrections and accountability",
    "followups_overdue",
    "followups_opened",
    0.0,
    0.5,
    "overdue",
    "corrections and accountability records opened",
)
PROMPTNESS = RateIndicator(
    "promptness",
    "按时办结率 overall promptness",
    "promptness_on_time",
    "promptness_measurements",
    1.0,
    0.5,
    "on time",
    "obligations with a deadline",
)


@dataclass(frozen=True)
class CaseReviewIndicator:
    """案卷评查: the mean credit of the agency's reviewed files by grade (优秀 1, 合格 0.8, 不合格 0 by default)."""

    code: str = "case_review"
    title: str = "案卷评查 case-file review grades"

    def measure(self, facts: AgencyFacts, params: Mapping[str, Any]) -> Measure:
        credit = {"excellent": 1.0, "pass": 0.8, "fail": 0.0} | {
            k: float(v) for k, v in (params.get("grade_credit") or {}).items()
        }
        files = sum(facts.review_grades.values())
        if not files:
            return Measure(None, "no case file reviewed")
        earned = sum(credit.get(grade, 0.0) * n for grade, n in facts.review_grades.items())
        counts = ", ".join(f"{grade} {n}" for grade, n in sorted(facts.review_grades.items()))
        return Measure(min(1.0, max(0.0, earned / files)), f"{files} files reviewed: {counts}")


@dataclass(frozen=True)
class SatisfactionIndicator:
    """满意度测评: the third-party survey's score (0..100) between two thresholds. Not weighted by default."""

    code: str = "satisfaction"
    title: str = "满意度测评 satisfaction survey"

    def measure(self, facts: AgencyFacts, params: Mapping[str, Any]) -> Measure:
        if facts.satisfaction_score is None:
            return Measure(None, "no survey result recorded")
        full_at, zero_at = _thresholds(params, 90.0, 60.0)
        return Measure(linear(facts.satisfaction_score, full_at, zero_at), f"survey score {facts.satisfaction_score:g}")


CASE_REVIEW = CaseReviewIndicator()
SATISFACTION = SatisfactionIndicator()
