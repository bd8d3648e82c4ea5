"""The gateway's own routes: log in and out, accounts (bureau only), the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from enforcement_contracts.common import Actor, PageQuery, page, page_of
from enforcement_contracts.errors import NotFound, Unauthorized, ValidationFailed
from enforcement_kernel.rpc import every_item

from .. import auth, schemas
from ..models import AuditRecord
from ..routing import BUREAU, PUBLIC, STAFF, Route

SERVICE = "gateway"  # served by the gateway itself: mounted whatever GATEWAY.services lists
SYSTEM = {"username": "gateway", "role": "system"}


def login(call):
    failure = None
    with call.db.transaction() as tx:
        try:
            user, token, expires = auth.login(
                tx.session, call.body["username"], call.body["password"], call.settings.auth
            )
        except Unauthorized as exc:
            failure = exc  # commit the failed-attempt count, then answer 401
    call.extras["audit_actor"] = {"username": call.body["username"], "role": None}
    if failure is not None:
        raise failure
    return {
        "token": token,
        "expires_at": expires.isoformat() + "Z",
        "username": user.username,
        "role": user.role,
        "agency_code": user.agency_code,
    }


def logout(call):
    with call.db.transaction() as tx:
        auth.logout(tx.session, call.request.headers["Authorization"])
    return {"logged_out": True}


def me(call):
    return call.actor


def create_user(call):
    data = schemas.UserCreate().load(call.body)
    # the agency and officer must exist in the personnel service
    if data.get("agency_code"):
        agencies = every_item(lambda paging: call.services.personnel.list_agencies(SYSTEM, paging))
        codes = {a["code"] for a in agencies}
        if data["agency_code"] not in codes:
            raise ValidationFailed("unknown agency", {"agency_code": [f"unknown agency {data['agency_code']}"]})
    if data.get("officer_id"):
        try:
            officer = call.services.personnel.get_officer(SYSTEM, data["officer_id"])
        except NotFound:
            raise ValidationFailed("unknown officer", {"officer_id": ["unknown officer"]}) from None
        if officer["agency_code"] != data.get("agency_code"):
            raise ValidationFailed(
                "officer belongs to another agency", {"agency_code": ["must be the officer's agency"]}
            )
    with call.db.transaction() as tx:
        user = auth.create_user(tx.session, data, call.settings.auth)
        return auth.user_dict(user)


def list_users(call):
    """A page of the accounts, by username."""
    from ..models import User

    query = call.query
    with call.db.read() as session:
        total = session.execute(select(func.count(User.username))).scalar_one()
        stmt = select(User).order_by(User.username).offset((query["page"] - 1) * query["per_page"])
        users = session.execute(stmt.limit(query["per_page"])).scalars().all()
        return page(schemas.User, [auth.user_dict(u) for u in users], total, query)


def audit_trail(call):
    """A page of the audit trail, newest first; ``from``/``to`` are UTC days, both included."""
    query = call.query
    conditions = []
    if query.get("username"):
        conditions.append(AuditRecord.username == query["username"])
    if query.get("date_from"):
        conditions.append(AuditRecord.at >= datetime.combine(query["date_from"], time.min))
    if query.get("date_to"):
        conditions.append(AuditRecord.at < datetime.combine(query["date_to"] + timedelta(days=1), time.min))
    offset = (query["page"] - 1) * query["per_page"]
    with call.db.read() as session:
        total = session.execute(select(func.count(AuditRecord.id)).where(*conditions)).scalar_one()
        stmt = select(AuditRecord).where(*conditions).order_by(AuditRecord.id.desc())
        rows = session.execute(stmt.offset(offset).limit(query["per_page"])).scalars().all()
        entries = [{**_columns(r), "at": r.at.isoformat() + "Z"} for r in rows]
    return page(schemas.AuditEntry, entries, total, query)


def _columns(record: AuditRecord) -> dict:
    names = ("username", "role", "action", "target", "status", "outcome", "correlation_id")
    return {name: getattr(record, name) for name in names}


ROUTES = [
    Route(
        "POST",
        "/auth/login",
        login,
        PUBLIC,
        "Log in",
        "auth",
        body=schemas.LoginRequest,
        response=schemas.LoginResponse,
    ),
    Route("POST", "/auth/logout", logout, STAFF, "Log out", "auth", audit=True, response=schemas.LoggedOut),
    Route("GET", "/auth/me", me, STAFF, "Who am I", "auth", response=Actor),
    Route(
        "POST",
        "/users",
        create_user,
        BUREAU,
        "Create a user",
        "auth",
        body=schemas.UserCreate,
        response=schemas.User,
        status=201,
    ),
    Route(
        "GET",
        "/users",
        list_users,
        BUREAU,
        "List users",
        "auth",
        query=PageQuery,
        response=page_of(schemas.User),
    ),
    Route(
        "GET",
        "/audit",
        audit_trail,
        BUREAU,
        "Read the audit trail",
        "auth",
        query=schemas.AuditQuery,
        response=page_of(schemas.AuditEntry),
    ),
]
