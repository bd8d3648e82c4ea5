"""The yearly assessment (评议考核): a run is kept as run (the weights it used, the share of the weight with data an
agency needed, every agency's score and rank, and the agencies left out)."""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.errors import NotFound

from .. import reports_models as rm
from ..assessment import AgencyScore, NotAssessed, Policy
from .common import Shown


def legacy_score(score: dict) -> dict:
    """A score kept before missing data was told from a clean record, in today's shape: what it said then (missing
    data earned full points, every agency was ranked), with ``has_data`` read from its ratio."""
    indicators = [
        {"has_data": i.get("ratio") is not None, "points_possible": i.get("weight"), **i}
        for i in score.get("indicators", [])
    ]
    with_data = sum(i["weight"] for i in indicators if i["has_data"])
    return {"no_data": False, "weight_with_data": with_data, **score, "indicators": indicators}


def run_out(run: rm.AssessmentRun) -> dict:
    legacy = run.min_weight_with_data is None
    ranking = [legacy_score(s) for s in run.results] if legacy else run.results
    return contract.AssessmentRun().dump(
        Shown(run, run_id=run.id, ranking=ranking, not_assessed=run.not_assessed or [])
    )


def record_run(tx, year: int, policy: Policy, ranking: list[AgencyScore], left_out: list[NotAssessed], by: str) -> dict:
    run = rm.AssessmentRun(
        year=year,
        weights=dict(policy.weights),
        min_weight_with_data=policy.min_weight_with_data,
        results=[s.as_dict() for s in ranking],
        not_assessed=[a.as_dict() for a in left_out],
        run_by=by,
    )
    tx.session.add(run)
    tx.session.flush()
    return run_out(run)


def latest_run(session, year: int) -> dict:
    run = session.execute(
        select(rm.AssessmentRun).where(rm.AssessmentRun.year == year).order_by(rm.AssessmentRun.id.desc()).limit(1)
    ).scalar_one_or_none()
    if run is None:
        raise NotFound(f"no assessment run for {year} yet")
    return run_out(run)
