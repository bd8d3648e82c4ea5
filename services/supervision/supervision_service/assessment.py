"""Yearly assessment of agencies (评议考核): pure scoring to 100 points and the ranking.

An indicator is a plug-in: an object with a ``code``, a ``title`` and ``measure(facts, params)`` returning a
``Measure`` (the fraction of its weight earned, 0..1, or ``None`` when there is nothing to measure). Indicators
are found through the entry-point group ``enforcement.supervision.indicators`` so a county can install a package
of its own; the weights (summing to 100) and each indicator's thresholds are configuration (``ASSESSMENT``).
No database, no broker: the facts come in as ``AgencyFacts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol

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


@dataclass(frozen=True)
class Policy:
    """Weights (points per indicator, summing to 100), each indicator's thresholds, and what 'no data' earns."""

    weights: dict[str, float]
    params: dict[str, dict] = field(default_factory=dict)
    no_data_ratio: float = 1.0  # nothing to measure (no cases, no items): nothing went wrong, full points

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
        no_data = section.get("no_data_ratio", 1.0)
        if not isinstance(no_data, (int, float)) or not 0 <= no_data <= 1:
            problems["no_data_ratio"] = ["must be a number from 0 to 1"]
        if problems:
            raise ValidationFailed(
                "the assessment settings are wrong", {f"ASSESSMENT.{k}": v for k, v in problems.items()}
            )
        return cls(
            weights=clean,
            params={k: dict(v or {}) for k, v in (section.get("params") or {}).items()},
            no_data_ratio=float(no_data),
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
    weight: float
    points: float
    ratio: float | None
    detail: str


@dataclass
class AgencyScore:
    agency_code: str
    agency_name: str
    total: float
    indicators: list[IndicatorScore]
    rank: int = 0

    def as_dict(self) -> dict:
        return {
            "agency_code": self.agency_code,
            "agency_name": self.agency_name,
            "total": self.total,
            "rank": self.rank,
            "indicators": [asdict(i) for i in self.indicators],
        }


def score_agency(facts: AgencyFacts, policy: Policy, indicators: Mapping[str, Indicator]) -> AgencyScore:
    scores = []
    for code, weight in policy.weights.items():
        indicator = indicators[code]
        measure = indicator.measure(facts, policy.params.get(code, {}))
        ratio = measure.ratio
        if ratio is not None and not 0 <= ratio <= 1:
            raise ValueError(f"indicator {code} returned {ratio}, outside 0..1")
        earned = policy.no_data_ratio if ratio is None else ratio
        scores.append(
            IndicatorScore(
                code,
                indicator.title,
                weight,
                round(weight * earned, 2),
                None if ratio is None else round(ratio, 4),
                measure.detail,
            )
        )
    return AgencyScore(facts.agency_code, facts.agency_name, round(sum(s.points for s in scores), 2), scores)


def rank(scores: list[AgencyScore]) -> list[AgencyScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4), listed by agency code."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.agency_code))
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous is not None and previous.total == score.total else position
    return ordered


def assess(facts: Iterable[AgencyFacts], policy: Policy, indicators: Mapping[str, Indicator]) -> list[AgencyScore]:
    check_policy(policy, indicators)
    return rank([score_agency(f, policy, indicators) for f in facts])
