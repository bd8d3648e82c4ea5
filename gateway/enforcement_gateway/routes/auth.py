"""The gateway's own routes: log in and out, one's own password, accounts (bureau only), the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from enforcement_contracts.common import PageQuery, page, page_of
from enforcement_contracts.errors import NotFound, ValidationFailed
from enforcement_kernel import paging
from enforcement_kernel.rpc import every_item

from .. import auth, schemas
from ..models import AuditRecord, User
from ..routing import BUREAU, PUBLIC, STAFF, Route

SERVICE = "gateway"  # served by the gateway itself: mounted whatever GATEWAY.services lists
SYSTEM = {"username": "gateway", "role": "system"}


def login(call):
    """Every refused login is the same 401 (see ``auth.login``); a throttled client address is a 429."""
    call.extras["audit_actor"] = {"username": call.body["username"], "role": None}
    user, token, expires = auth.login(
        call.db, call.body["username"], call.body["password"], call.settings.client_of(call.request), call.settings.auth
    )
    return {
        "token": token,
        "expires_at": expires.isoformat() + "Z",
        "username": user["username"],
        "role": user["role"],
        "agency_code": user["agency_code"],
        "must_change_password": user["must_change_password"],
    }


def logout(call):
    with call.db.transaction() as tx:
        auth.logout(tx.session, call.request.headers["Authorization"])
    return {"logged_out": True}


def me(call):
    with call.db.read() as session:
        user = session.execute(select(User).where(User.username == call.actor["username"])).scalars().one()
        return {**call.actor, "must_change_password": user.must_change_password}


def change_password(call):
    """One's own password; a wrong current one is counted (committed) before the 400 is answered."""
    refusal = auth.change_password(
        call.db,
        call.actor["username"],
        call.body["current_password"],
        call.body["new_password"],
        call.request.headers["Authorization"],
        call.settings.auth,
    )
    if refusal is not None:
        raise refusal
    return {"changed": True}


def reset_password(call):
    with call.db.transaction() as tx:
        user = auth.reset_password(tx.session, call.params["username"], call.body["new_password"], call.settings.auth)
        return auth.user_dict(user)


def disable_user(call):
    with call.db.transaction() as tx:
        return auth.user_dict(auth.set_active(tx.session, call.params["username"], False, call.actor["username"]))


def enable_user(call):
    with call.db.transaction() as tx:
        return auth.user_dict(auth.set_active(tx.session, call.params["username"], True, call.actor["username"]))


def _check_agency_and_officer(call, data: dict) -> None:
    """The agency and officer an account is given must exist in the personnel service, the officer in that agency."""
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


def create_user(call):
    data = schemas.UserCreate().load(call.body)
    _check_agency_and_officer(call, data)
    with call.db.transaction() as tx:
        user = auth.create_user(tx.session, data, call.settings.auth)
        return auth.user_dict(user)


def change_user(call):
    """Role, agency or officer of an account: its tokens are revoked when any of them changes."""
    data = schemas.UserScope().load(call.body)
    with call.db.read() as session:
        current = auth.user_dict(auth._user_named(session, call.params["username"]))
    role = data.get("role", current["role"])
    merged = {
        "agency_code": data.get("agency_code", None if role == "bureau" else current["agency_code"]),
        "officer_id": data.get("officer_id", None if role == "bureau" else current["officer_id"]),
    }
    _check_agency_and_officer(call, merged)
    with call.db.transaction() as tx:
        user = auth.change_scope(tx.session, call.params["username"], data, call.actor["username"])
        return auth.user_dict(user)


def list_users(call):
    """A page of the accounts, by username."""
    query = call.query
    with call.db.read() as session:
        total = session.execute(select(func.count(User.username))).scalar_one()
        stmt = select(User).order_by(User.username).offset((query["page"] - 1) * query["per_page"])
        users = session.execute(stmt.limit(query["per_page"])).scalars().all()
        return page(schemas.User, [auth.user_dict(u) for u in users], total, query)


def audit_trail(call):
    """A page of the audit trail, newest first; filters as ``schemas.AuditQuery``."""
    query = call.query
    conditions = []
    if query.get("actor"):
        conditions.append(AuditRecord.username == query["actor"])
    if query.get("action"):
        conditions.append(AuditRecord.action == query["action"])
    if query.get("target"):
        conditions.append(AuditRecord.target.contains(query["target"], autoescape=True))
    if query.get("date_from"):
        conditions.append(AuditRecord.at >= datetime.combine(query["date_from"], time.min))
    if query.get("date_to"):
        conditions.append(AuditRecord.at < datetime.combine(query["date_to"] + timedelta(days=1), time.min))
    with call.db.read() as session:
        stmt = select(AuditRecord).where(*conditions)
        found = paging.keyset_page(session, stmt, [(AuditRecord.id, True)], query, "audit")
        entries = [{**_columns(r), "at": r.at.isoformat() + "Z"} for r in found.rows]
    return page(schemas.AuditEntry, entries, found.total, query, found.total_exact, found.next)


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
        throttled=True,
    ),
    Route(
        "POST",
        "/auth/logout",
        logout,
        STAFF,
        "Log out",
        "auth",
        audit=True,
        response=schemas.LoggedOut,
        before_password_change=True,
    ),
    Route("GET", "/auth/me", me, STAFF, "Who am I", "auth", response=schemas.Me, before_password_change=True),
    Route(
        "POST",
        "/auth/password",
        change_password,
        STAFF,
        "Change my password",
        "auth",
        body=schemas.PasswordChange,
        response=schemas.PasswordChanged,
        before_password_change=True,
    ),
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
        "POST",
        "/users/<username>/password",
        reset_password,
        BUREAU,
        "Reset a user's password",
        "auth",
        body=schemas.PasswordReset,
        response=schemas.User,
    ),
    Route(
        "PATCH",
        "/users/<username>",
        change_user,
        BUREAU,
        "Change a user's role, agency or officer",
        "auth",
        body=schemas.UserScope,
        response=schemas.User,
    ),
    Route("POST", "/users/<username>/disable", disable_user, BUREAU, "Disable a user", "auth", response=schemas.User),
    Route("POST", "/users/<username>/enable", enable_user, BUREAU, "Enable a user", "auth", response=schemas.User),
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
