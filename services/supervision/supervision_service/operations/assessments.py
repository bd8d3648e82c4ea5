"""The yearly assessment (评议考核): a run is kept as run (the weights it used, every agency's score and rank)."""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.errors import NotFound

from .. import reports_models as rm
from .common import Shown


def run_out(run: rm.AssessmentRun) -> dict:
    return contract.AssessmentRun().dump(Shown(run, run_id=run.id, ranking=run.results))


def record_run(tx, year: int, weights: dict, ranking: list, by: str) -> dict:
    run = rm.AssessmentRun(year=year, weights=dict(weights), results=[s.as_dict() for s in ranking], run_by=by)
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
