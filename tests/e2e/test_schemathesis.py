"""schemathesis against the real stack: every operation of /openapi.json, fuzzed as a careless client or an attacker
would (issue 13), must answer without a server error, with a documented status and a body as documented.

The stack is the four services and the gateway as processes (SQLite), the bureau's admin logged in (its forced first
password change made); schemathesis's CLI runs the examples, fuzzing and stateful phases with a small budget per
operation, so the whole test stays within a few minutes on the project's 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from enforcement_testing import RUN_DATE, drop_event_queues, free_port, valid_id_number

ADMIN = ("admin", "change-me-now")
NEW_PASSWORD = "Schemathesis-run-2026"
AGENCY = "140928-scjgj"  # 县市场监管局, seeded

CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
HERE = Path(__file__).parent
# the budget scripts/test runs with; a longer exploration: SCHEMATHESIS_MAX_EXAMPLES=50
# SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))

# Left out, each for a reason: these would end the run's own session or touch what is not the stack's.
EXCLUDED = "|".join(
    [
        # logs the admin's token out: every later request would be a 401
        r"auth/logout",
        # a wrong current password counts toward the admin's lockout (and a right one would change it)
        r"auth/password",
        # failed logins lock the account they name and are throttled (growing delays): the run would be slowed
        # down and might lock the admin it runs as
        r"auth/login",
        # destructive account operations: a generated or linked username may be the admin itself
        r"users/\{username\}/(password|disable)",
        # outside subscribers are RabbitMQ users, queues and bindings made through the broker's management API: the
        # broker is shared by every test run on the machine, not part of this stack
        r"subscribers.*",
    ]
)


@pytest.fixture
def stack(start_service, amqp_uri, tmp_path):
    """personnel, training, cases, supervision and the gateway as processes on SQLite: the gateway's root URL and
    its process (its log says what went wrong behind a failure)."""
    web = free_port()
    for name in ("training", "supervision", "cases", "personnel"):  # consumers first: their queues must exist
        drop_event_queues(amqp_uri, name)
        start_service(name, f"sqlite:///{tmp_path}/{name}.db", amqp_uri, extra_env={"RPC_TIMEOUT": "5"})
    gateway = start_service(
        "gateway",
        f"sqlite:///{tmp_path}/gateway.db",
        amqp_uri,
        # the public limits are per client address, and every generated request comes from this one
        extra_env={
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{web}",
            "RPC_TIMEOUT": "5",
            "GATEWAY_PUBLIC_RATE_LIMIT": "100000",
            "GATEWAY_PUBLIC_READ_RATE_LIMIT": "100000",
        },
    )
    return f"http://127.0.0.1:{web}", gateway


def _admin_token(root: str, gateway) -> str:
    """The seeded admin logged in, its forced first password change made (the token stays valid)."""
    login = requests.post(f"{root}/api/v1/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}, timeout=10)
    assert login.status_code == 200, login.text + gateway.log_tail()
    token = f"Bearer {login.json()['token']}"
    changed = requests.post(
        f"{root}/api/v1/auth/password",
        json={"current_password": ADMIN[1], "new_password": NEW_PASSWORD},
        headers={"Authorization": token},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    # a password change may end the account's other sessions, and this one with them: log in anew
    login = requests.post(
        f"{root}/api/v1/auth/login", json={"username": ADMIN[0], "password": NEW_PASSWORD}, timeout=10
    )
    assert login.status_code == 200, login.text
    return f"Bearer {login.json()['token']}"


def _known_records(root: str, token: str, folder: Path) -> Path:
    """An officer of a real agency, named to schemathesis (its config file's ``parameters``) as the value of the
    path and query parameters that name one: generated ids are almost never found, so without them most reads
    would answer 404 and their 200 answers would go unchecked."""
    officer = requests.post(
        f"{root}/api/v1/officers",
        json={
            "agency_code": AGENCY,
            "name": "模糊测试",
            "id_number": valid_id_number(777),
            "domains": ["market_supervision"],
        },
        headers={"Authorization": token},
        timeout=10,
    )
    assert officer.status_code == 201, officer.text
    config = folder / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.code" = "{AGENCY}"\n'
        f'"path.officer_id" = "{officer.json()["officer_id"]}"\n'
        f'"path.year" = {RUN_DATE.year}\n'
        f'"query.year" = {RUN_DATE.year}\n'
        f'"query.agency_code" = "{AGENCY}"\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(stack, tmp_path):
    root, gateway = stack
    token = _admin_token(root, gateway)
    config = _known_records(root, token, tmp_path)
    report = tmp_path / "schemathesis.ndjson"
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"{root}/openapi.json",
        "--url",
        root,
        "--checks",
        CHECKS,
        "--phases",
        os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing,stateful"),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "13",
        "--generation-deterministic",
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--header",
        f"Authorization: {token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
        "--exclude-path-regex",
        f"^/api/v1/({EXCLUDED})$",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(HERE)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    output = result.stdout + result.stderr
    print(output[-3000:])  # the summary: operations tested, phases, cases generated (shown with -s or -rP)
    assert result.returncode == 0, output[-20000:] + gateway.log_tail()
    # it did test: the document's operations were run, not skipped for a schema it could not read
    assert report.exists() and report.stat().st_size > 0, output[-5000:]
    events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    assert len(events) > 100, output[-5000:]
