"""Certificate applications (申领): the agency applies for its officer, the issuing authority approves (which issues
the certificate) or refuses with reasons; the time from filing to decision is the authority's promptness figure."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import common
from enforcement_contracts import personnel_applications as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound
from enforcement_kernel import access
from enforcement_kernel.workdays import add_workdays

from .. import models as m
from .. import obligations
from ..settings import Settings
from .certificates import check_issuable, issue
from .lookups import get_officer
from .promptness import measure_application
from .views import With

PENDING, APPROVED, REFUSED = contract.APPLICATION_STATES


def _pending_already() -> Conflict:
    return Conflict(
        "an application for this officer is already pending", {"officer_id": ["an application is already pending"]}
    )


def _view(app: m.CertificateApplication, officer_name: str, settings: Settings, today: date) -> With:
    deadline = settings.application_decision_workdays
    overdue = app.state == PENDING and obligations.workdays_missed(app.filed_on, today, deadline) is not None
    return With(
        app,
        officer_name=officer_name,
        due_on=add_workdays(app.filed_on, deadline),
        deadline_workdays=deadline,
        overdue=overdue,
        issuing_authority=settings.issuing_authority_name,
    )


def _out(app: m.CertificateApplication, officer_name: str, settings: Settings, today: date) -> dict:
    return contract.CertificateApplication().dump(_view(app, officer_name, settings, today))


def file_application(tx, actor: dict, data: dict, settings: Settings, today: date) -> dict:
    """Filed today by the officer's agency (or the bureau for it): the officer must be eligible now, hold no live
    certificate and have no application pending."""
    officer = get_officer(tx.session, data["officer_id"])
    access.require_write(actor, officer.agency_code)
    check_issuable(tx.session, officer, data, today, today, settings)
    pending = select(m.CertificateApplication.application_id).where(
        m.CertificateApplication.officer_id == officer.officer_id, m.CertificateApplication.state == PENDING
    )
    if tx.session.execute(pending).first() is not None:
        raise _pending_already()
    app = m.CertificateApplication(
        application_id=uuid.uuid4().hex,
        officer_id=officer.officer_id,
        agency_code=officer.agency_code,
        domains=sorted(set(data["domains"])),
        state=PENDING,
        filed_on=today,
        filed_by=actor["username"],
    )
    tx.session.add(app)
    try:
        tx.session.flush()
    except IntegrityError:  # a second filing for the same officer at the same moment
        raise _pending_already() from None
    return _out(app, officer.name, settings, today)


def _pending_application(session, application_id: str) -> m.CertificateApplication:
    app = (
        session.execute(
            select(m.CertificateApplication)
            .where(m.CertificateApplication.application_id == application_id)
            .with_for_update()
        )
        .scalars()
        .first()
        if isinstance(application_id, str)
        else None
    )
    if app is None:
        raise NotFound(f"certificate application {application_id} not found")
    if app.state != PENDING:
        raise Conflict(f"the application is already {app.state}", {"application_id": [f"already {app.state}"]})
    return app


def approve_application(tx, actor: dict, application_id: str, settings: Settings, today: date) -> dict:
    """The issuing authority approves: the certificate is issued today (the officer must still be eligible: if not,
    the authority refuses with the reasons)."""
    access.require_bureau(actor)
    app = _pending_application(tx.session, application_id)
    officer = get_officer(tx.session, app.officer_id)
    check_issuable(tx.session, officer, {"domains": app.domains}, today, today, settings)
    cert = issue(tx, actor, officer, app.domains, today, settings)
    app.state, app.decided_on, app.decided_by, app.certificate_number = APPROVED, today, actor["username"], cert.number
    measure_application(tx, app, settings)
    return _out(app, officer.name, settings, today)


def refuse_application(tx, actor: dict, application_id: str, data: dict, settings: Settings, today: date) -> dict:
    access.require_bureau(actor)
    app = _pending_application(tx.session, application_id)
    officer = get_officer(tx.session, app.officer_id)
    app.state, app.decided_on, app.decided_by = REFUSED, today, actor["username"]
    app.refusal_reason = data["reason"]
    measure_application(tx, app, settings)
    return _out(app, officer.name, settings, today)


def read_application(session, actor: dict, application_id: str, settings: Settings, today: date) -> dict:
    app = session.get(m.CertificateApplication, application_id) if isinstance(application_id, str) else None
    if app is None:
        raise NotFound(f"certificate application {application_id} not found")
    access.require_read(actor, app.agency_code, app.officer_id)
    return _out(app, session.get(m.Officer, app.officer_id).name, settings, today)


def list_applications(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    """A page of applications: the pending ones first, the oldest first (the authority's queue), then the decided
    ones, the latest decided first. The bureau sees every agency's, an agency administrator its own."""
    if actor.get("role") == "officer":
        raise Forbidden("this role cannot read certificate applications")
    A = m.CertificateApplication
    agency_code = access.query_agency(actor, query.get("agency_code"))
    conditions = []
    if agency_code:
        conditions.append(A.agency_code == agency_code)
    if query.get("state"):
        conditions.append(A.state == query["state"])
    if query.get("officer_id"):
        conditions.append(A.officer_id == query["officer_id"])
    total = session.execute(select(func.count()).select_from(A).where(*conditions)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    is_pending = case((A.state == PENDING, 0), else_=1)
    rows = session.execute(
        select(A, m.Officer.name)
        .join(m.Officer, m.Officer.officer_id == A.officer_id)
        .where(*conditions)
        .order_by(is_pending, case((A.state == PENDING, A.filed_on)), A.decided_on.desc(), A.application_id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [_view(app, name, settings, today) for app, name in rows]
    return common.page(contract.CertificateApplication, items, total, query)
