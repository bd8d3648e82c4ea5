"""End-to-end fixtures: the personnel service and the gateway as real processes, a logged-in HTTP client."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import requests
from enforcement_testing import drop_event_queues, free_port, fresh_postgres_database

from enforcement_gateway.conformance import answer_problems

ADMIN = ("admin", "change-me-now")


@dataclass
class Suite:
    base: str  # http://127.0.0.1:<port>/api/v1
    root: str
    personnel: object
    gateway: object
    amqp_uri: str
    personnel_db: str
    gateway_db: str
    training: object = None  # only in ``training_suite``
    training_db: str | None = None
    # (username, password a test logs in with) -> the password it was changed to at the first login
    passwords: dict = field(default_factory=dict)

    def login(self, username: str, password: str) -> Api:
        """Logged in; an account that must change its password first (the seeded admin, one created or reset by
        the bureau) changes it to ``password + "-new"``, and later logins with ``password`` in this test use that."""
        return login_changing_password(self.base, username, password, self.passwords)

    def admin(self) -> Api:
        return self.login(*ADMIN)

    def anonymous(self) -> Api:
        return Api(self.base, None)


def login_changing_password(base: str, username: str, password: str, passwords: dict) -> Api:
    """``Suite.login``, for suites of other shapes: ``passwords`` remembers the changed passwords of one test."""
    given = password
    password = passwords.get((username, given), given)
    response = requests.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    check_answer(response)
    api = Api(base, response.json()["token"])
    if response.json().get("must_change_password"):
        changed = api.post("/auth/password", json={"current_password": password, "new_password": password + "-new"})
        assert changed.status_code == 200, changed.text
        passwords[(username, given)] = password + "-new"
    return api


def check_answer(response: requests.Response) -> requests.Response:
    """Fails the test when an answer's status or JSON body is not what the gateway's /openapi.json declares."""
    problems = answer_problems(response)
    if problems:
        pytest.fail("answer not as documented in /openapi.json:\n" + "\n".join(problems[:20]), pytrace=False)
    return response


class Api:
    """requests with the token and the API prefix filled in; every answer is checked against /openapi.json."""

    def __init__(self, base: str, token: str | None):
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy for loopback
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method):
        if method not in ("get", "post", "patch", "put", "delete"):
            raise AttributeError(method)
        return lambda path, **kw: self.request(method.upper(), path, **kw)

    def request(self, method: str, path: str, **kw) -> requests.Response:
        return check_answer(self.session.request(method, self.base + path, timeout=15, **kw))


def _database(request, tmp_path, name: str) -> str:
    if getattr(request, "param", None) == "postgresql":
        database = fresh_postgres_database()
        url = database.__enter__()
        request.addfinalizer(lambda: database.__exit__(None, None, None))
        return url
    return f"sqlite:///{tmp_path}/{name}.db"


def _start_suite(
    request, start_service, amqp_uri, tmp_path, with_training: bool = False, gateway_env: dict | None = None
) -> Suite:
    training_db = training = None
    if with_training:
        # first: its queues must exist before personnel publishes the agencies and officers it reads
        training_db = _database(request, tmp_path, "training")
        drop_event_queues(amqp_uri, "training")  # what other tests announced while no training service ran
        training = start_service("training", training_db, amqp_uri)
    personnel_db = _database(request, tmp_path, "personnel")
    gateway_db = f"sqlite:///{tmp_path}/gateway.db"
    web = free_port()
    personnel = start_service("personnel", personnel_db, amqp_uri)
    gateway = start_service(
        "gateway",
        gateway_db,
        amqp_uri,
        extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "2", **(gateway_env or {})},
    )
    root = f"http://127.0.0.1:{web}"
    return Suite(f"{root}/api/v1", root, personnel, gateway, amqp_uri, personnel_db, gateway_db, training, training_db)


@pytest.fixture
def suite(request, start_service, amqp_uri, tmp_path):
    """personnel and the gateway, both ready; personnel on PostgreSQL when parametrized with "postgresql"."""
    return _start_suite(request, start_service, amqp_uri, tmp_path)


@pytest.fixture
def proxied_suite(request, start_service, amqp_uri, tmp_path):
    """personnel and the gateway behind a trusted proxy (127.0.0.1, the tests themselves: they say who the visitor
    is in X-Forwarded-For), with a public read limit (and the certificate check's) of 5 a minute per visitor."""
    env = {
        "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",
        "GATEWAY_PUBLIC_READ_RATE_LIMIT": "5",
        "GATEWAY_CERTIFICATE_CHECK_RATE_LIMIT": "5",
    }
    return _start_suite(request, start_service, amqp_uri, tmp_path, gateway_env=env)


@pytest.fixture
def hardened_suite(request, start_service, amqp_uri, tmp_path):
    """The gateway behind a trusted proxy (the tests say who the visitor is in X-Forwarded-For), HTTPS in front of
    it (HSTS), one origin allowed by CORS, and a login throttle per address from the 3rd failure."""
    env = {
        "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",
        "GATEWAY_LOGIN_THROTTLE_ADDRESS": "3",
        "GATEWAY_BEHIND_TLS": "true",
        "GATEWAY_CORS_ORIGINS": "https://portal.example",
    }
    return _start_suite(request, start_service, amqp_uri, tmp_path, gateway_env=env)


@pytest.fixture
def training_suite(request, start_service, amqp_uri, tmp_path):
    """training, personnel and the gateway, all ready; training and personnel on PostgreSQL with "postgresql"."""
    return _start_suite(request, start_service, amqp_uri, tmp_path, with_training=True)


@dataclass
class CasesSuite(Suite):
    cases: object = None
    cases_db: str = ""


@pytest.fixture
def cases_suite(start_service, amqp_uri, tmp_path):
    """personnel, cases and the gateway, all ready, on SQLite (the cases service asks personnel within 2 s)."""
    personnel_db, cases_db, gateway_db = (
        f"sqlite:///{tmp_path}/{name}.db" for name in ("personnel", "cases", "gateway")
    )
    web = free_port()
    personnel = start_service("personnel", personnel_db, amqp_uri)
    cases = start_service("cases", cases_db, amqp_uri, extra_env={"RPC_TIMEOUT": "2"})
    gateway = start_service(
        "gateway", gateway_db, amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "3"}
    )
    root = f"http://127.0.0.1:{web}"
    return CasesSuite(
        f"{root}/api/v1", root, personnel, gateway, amqp_uri, personnel_db, gateway_db, cases=cases, cases_db=cases_db
    )


@dataclass
class SupervisionSuite(Suite):
    supervision: object = None
    supervision_db: str = ""


@pytest.fixture
def supervision_suite(start_service, amqp_uri, tmp_path):
    """personnel, supervision and the gateway, all ready, on SQLite. Supervision's timers run every second, so an
    item whose deadline a test moves into the past is escalated (and the gauges refreshed) within a second or two."""
    personnel_db, supervision_db, gateway_db = (
        f"sqlite:///{tmp_path}/{name}.db" for name in ("personnel", "supervision", "gateway")
    )
    web = free_port()
    drop_event_queues(amqp_uri, "supervision")  # what other tests announced while no supervision service ran
    supervision = start_service(
        "supervision",
        supervision_db,
        amqp_uri,
        extra_env={
            "RPC_TIMEOUT": "3",
            "SUPERVISION_OVERDUE_CHECK_SECONDS": "1",
            "SUPERVISION_GAUGES_REFRESH_SECONDS": "1",
        },
    )
    personnel = start_service("personnel", personnel_db, amqp_uri)
    gateway = start_service(
        "gateway",
        gateway_db,
        amqp_uri,
        extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "3", "GATEWAY_PUBLIC_RATE_LIMIT": "3"},
    )
    root = f"http://127.0.0.1:{web}"
    return SupervisionSuite(
        f"{root}/api/v1",
        root,
        personnel,
        gateway,
        amqp_uri,
        personnel_db,
        gateway_db,
        supervision=supervision,
        supervision_db=supervision_db,
    )
