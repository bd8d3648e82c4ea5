"""Yearly assessment of agencies (评议考核): pure scoring to 100 points and the ranking.

An indicator is a plug-in: an object with a ``code``, a ``title`` and ``measure(facts, params)`` returning a
``Measure`` (the fraction of its weight earned, 0..1, or ``None`` when there is nothing to measure). Indicators
are found through the entry-point group ``enforcement.supervision.indicators`` so a county can install a package
of its own; the weights (summing to 100) and each indicator's thresholds are configuration (``ASSESSMENT``).
No database, no broker: the facts come in as ``AgencyFacts``.

Nothing to measure is not a clean record. A clean record (items issued, none overdue) earns its points; an indicator
with nothing to measure (no officers, no cases, no items: its denominator is 0) earns nothing and weighs nothing:
the total is re-weighted over the indicators that have data, ``100 × Σ(weight × ratio) / Σ(weight)``. An agency
with data for less than ``min_weight_with_data`` of the weight (or for none) gets no score (无数据) and no rank.
Agencies without enforcement duties (``without_enforcement_duties``) are not assessed at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol

from enforcement_contracts.common import AGENCY_CODE
from enforcement_contracts.errors import ValidationFailed

ENTRY_POINT_GROUP = "enforcement.supervision.indicators"
TOTAL_POINTS = 100


@dataclass
class AgencyFacts:
    """What the suite knows about one agency for one calendar year (gathered by ``facts.py``)."""

    agency_code: str
    agency_name: str = ""
    # personnel
    officers: int = 0  # in an enforcement post at the end of the year (police excluded: they hold no certificate)
    certified: int = 0  # of those, with a valid certificate
    certificates_issued: int = 0
    certificates_cancelled: int = 0
    # training
    training_officers: int = 0
    training_compliant: int = 0
    # cases
    cases_by_type: dict[str, dict] = field(default_factory=dict)  # type_code -> {cases, decided, fined, fine_total}
    decisions: int = 0
    publications: int = 0
    publications_on_time: int = 0
    review_files: int = 0
    review_grades: dict[str, int] = field(default_factory=dict)  # excellent / pass / fail -> files
    decisions_reversed: int = 0
    reversed_by_ground: dict[str, int] = field(default_factory=dict)  # reconsideration / litigation / agency
    # corrections (错案纠正) and accountability records (过错责任追究) after failing case files, both kinds together
    followups_opened: int = 0
    followups_closed: int = 0
    followups_overdue: int = 0  # a step's deadline missed in the year (or late today, for the running year)
    followup_exemptions: int = 0  # officers exempted (尽职免责 / 容错纠错)
    # supervision (this service's own tables)
    items: int = 0
    items_overdue: int = 0
    complaints: int = 0
    complaints_concluded: int = 0
    complaints_upheld: int = 0
    promptness_measurements: int = 0
    promptness_on_time: int = 0
    satisfaction_score: float | None = None  # 满意度测评, 0..100 (third-party survey), None when not surveyed
    extra: dict[str, Any] = field(default_factory=dict)  # facts a county's own indicators may need

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Measure:
    """An indicator's verdict on one agency: the fraction of its weight earned, and why, in words."""

    ratio: float | None  # 0..1, or None: nothing to measure
    detail: str


class Indicator(Protocol):
    code: str
    title: str

    def measure(self, facts: AgencyFacts, params: Mapping[str, Any]) -> Measure: ...


NO_ENFORCEMENT_DUTIES = "no_enforcement_duties"  # why an agency is not assessed (``NotAssessed.reason``)


@dataclass(frozen=True)
class Policy:
    """Weights (points per indicator, summing to 100), each indicator's thresholds, the least share of the weight
    that must have data for a score, and the agencies not assessed because they have no enforcement duties."""

    weights: dict[str, float]
    params: dict[str, dict] = field(default_factory=dict)
    min_weight_with_data: float = 0.5  # below this share of the weight with data: 无数据, no score, no rank
    without_enforcement_duties: frozenset[str] = frozenset()  # agency codes left out of the assessment

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> Policy:
        """From the ``ASSESSMENT`` config section; a wrong one is a ValidationFailed naming the setting."""
        weights = section.get("weights") or {}
        problems: dict[str, list[str]] = {}
        clean: dict[str, float] = {}
        for code, weight in weights.items():
            try:
                value = float(weight)
            except (TypeError, ValueError):
                problems[f"weights.{code}"] = ["must be a number"]
                continue
            if value < 0:
                problems[f"weights.{code}"] = ["must not be negative"]
            clean[code] = value
        if not clean:
            problems["weights"] = ["name at least one indicator and its points"]
        elif not problems and abs(sum(clean.values()) - TOTAL_POINTS) > 1e-6:
            problems["weights"] = [f"must add up to {TOTAL_POINTS} points, not {sum(clean.values()):g}"]
        if "no_data_ratio" in section:  # the old setting gave missing data full points: refused, not ignored
            problems["no_data_ratio"] = [
                "is no longer used: missing data is re-weighted (see min_weight_with_data); remove it"
            ]
        minimum = section.get("min_weight_with_data", 0.5)
        if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not 0 <= minimum <= 1:
            problems["min_weight_with_data"] = ["must be a number from 0 to 1"]
        excluded = section.get("without_enforcement_duties") or []
        if not isinstance(excluded, (list, tuple)) or not all(
            isinstance(code, str) and AGENCY_CODE.regex.match(code) for code in excluded
        ):
            problems["without_enforcement_duties"] = ["must be a list of agency codes"]
        if problems:
            raise ValidationFailed(
                "the assessment settings are wrong", {f"ASSESSMENT.{k}": v for k, v in problems.items()}
            )
        return cls(
            weights=clean,
            params={k: dict(v or {}) for k, v in (section.get("params") or {}).items()},
            min_weight_with_data=float(minimum),
            without_enforcement_duties=frozenset(excluded),
        )


def load_indicators(eps: Iterable[EntryPoint] | None = None) -> dict[str, Indicator]:
    """Every installed indicator by code (entry point name = code). ``eps`` replaces the installed ones."""
    found: dict[str, Indicator] = {}
    for ep in eps if eps is not None else entry_points(group=ENTRY_POINT_GROUP):
        indicator = ep.load()
        if isinstance(indicator, type):
            indicator = indicator()
        if getattr(indicator, "code", None) != ep.name:
            raise ValueError(
                f"indicator entry point {ep.name!r} loads an indicator coded {getattr(indicator, 'code', None)!r}"
            )
        found[ep.name] = indicator
    return found


def check_policy(policy: Policy, indicators: Mapping[str, Indicator]) -> None:
    missing = sorted(set(policy.weights) - set(indicators))
    if missing:
        raise ValidationFailed(
            "an assessment weight names an indicator that is not installed",
            {f"ASSESSMENT.weights.{code}": ["no such indicator installed"] for code in missing},
        )


# --- thresholds ------------------------------------------------------------------------------
def linear(value: float, full_at: float, zero_at: float) -> float:
    """Points between two thresholds: ``full_at`` or better earns 1, ``zero_at`` or worse 0, linear between.

    Works both ways: for a rate that should be high (full_at > zero_at) and one that should be low."""
    if full_at == zero_at:
        return 1.0 if (value >= full_at) else 0.0
    ratio = (value - zero_at) / (full_at - zero_at)
    return max(0.0, min(1.0, ratio))


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- scoring and ranking ---------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorScore:
    code: str
    title: str
    weight: float  # the configured points
    has_data: bool  # False: nothing to measure (its denominator is 0); it weighs nothing in the total
    points: float | None  # earned, after re-weighting; None without data or when the agency has no score
    points_possible: float | None  # the weight re-scaled over the indicators with data (they add up to 100)
    ratio: float | None
    detail: str


@dataclass
class AgencyScore:
    agency_code: str
    agency_name: str
    total: float | None  # out of 100; None: 无数据 (too little of the weight had data)
    indicators: list[IndicatorScore]
    weight_with_data: float = 0.0  # the configured points (of 100) whose indicators had data
    no_data: bool = False
    rank: int | None = None  # None: not ranked (no data)

    def as_dict(self) -> dict:
        return {
            "agency_code": self.agency_code,
            "agency_name": self.agency_name,
            "total": self.total,
            "rank": self.rank,
            "no_data": self.no_data,
            "weight_with_data": self.weight_with_data,
            "indicators": [asdict(i) for i in self.indicators],
        }


@dataclass(frozen=True)
class NotAssessed:
    """An agency left out of the assessment, and why."""

    agency_code: str
    agency_name: str
    reason: str = NO_ENFORCEMENT_DUTIES

    def as_dict(self) -> dict:
        return asdict(self)


def reweigh(measured: list[tuple[float, float | None]], minimum_share: float) -> tuple[float | None, float]:
    """The total out of 100 from ``(weight, ratio or None)`` pairs, re-weighted over those with a ratio, and the
    weight with data. ``None`` (无数据) when no weight has data or less than ``minimum_share`` of it does."""
    weight_all = sum(weight for weight, _ in measured)
    with_data = [(weight, ratio) for weight, ratio in measured if ratio is not None]
    weight_with_data = sum(weight for weight, _ in with_data)
    if weight_with_data <= 0 or weight_with_data < minimum_share * weight_all - 1e-9:
        return None, weight_with_data
    earned = sum(weight * ratio for weight, ratio in with_data)
    return TOTAL_POINTS * earned / weight_with_data, weight_with_data


def score_agency(facts: AgencyFacts, policy: Policy, indicators: Mapping[str, Indicator]) -> AgencyScore:
    measures = []
    for code, weight in policy.weights.items():
        indicator = indicators[code]
        measure = indicator.measure(facts, policy.params.get(code, {}))
        if measure.ratio is not None and not 0 <= measure.ratio <= 1:
            raise ValueError(f"indicator {code} returned {measure.ratio}, outside 0..1")
        measures.append((code, indicator.title, weight, measure))
    total, weight_with_data = reweigh([(w, m.ratio) for _, _, w, m in measures], policy.min_weight_with_data)
    scores = []
    for code, title, weight, measure in measures:
        ratio = measure.ratio
        possible = None if total is None or ratio is None else TOTAL_POINTS * weight / weight_with_data
        scores.append(
            IndicatorScore(
                code,
                title,
                weight,
                ratio is not None,
                None if possible is None else round(possible * ratio, 2),
                None if possible is None else round(possible, 2),
                None if ratio is None else round(ratio, 4),
                measure.detail,
            )
        )
    return AgencyScore(
        facts.agency_code,
        facts.agency_name,
        None if total is None else round(total, 2),
        scores,
        weight_with_data=round(weight_with_data, 2),
        no_data=total is None,
    )


def rank(scores: list[AgencyScore]) -> list[AgencyScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4), listed by agency code. Agencies with no data
    (无数据) follow, by agency code, with no rank."""
    ordered = sorted((s for s in scores if not s.no_data), key=lambda s: (-s.total, s.agency_code))
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous is not None and previous.total == score.total else position
    unranked = sorted((s for s in scores if s.no_data), key=lambda s: s.agency_code)
    for score in unranked:
        score.rank = None
    return ordered + unranked


def not_assessed(facts: Iterable[AgencyFacts], policy: Policy) -> list[NotAssessed]:
    """The agencies the county lists as without enforcement duties, by agency code: not scored, not ranked."""
    return [
        NotAssessed(f.agency_code, f.agency_name)
        for f in sorted(facts, key=lambda f: f.agency_code)
        if f.agency_code in policy.without_enforcement_duties
    ]


def assess(facts: Iterable[AgencyFacts], policy: Policy, indicators: Mapping[str, Indicator]) -> list[AgencyScore]:
    """Every agency with enforcement duties scored and ranked (those listed in ``not_assessed`` left out)."""
    check_policy(policy, indicators)
    return rank(
        [score_agency(f, policy, indicators) for f in facts if f.agency_code not in policy.without_enforcement_duties]
    )
