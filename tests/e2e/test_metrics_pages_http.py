"""Every /metrics page of the suite passes ``promtool check metrics`` after a scenario, and the series whose labels are
known in advance are there at 0 before their first event (so ``increase()`` counts that first event).

The four services and the gateway run as processes (SQLite); the scenario goes over HTTP: a login that changes the
seeded password, an officer registered, lists read, a refused request. Then each page is piped to promtool (Debian's
``prometheus`` package; required, as for the alert tests).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from enforcement_testing import drop_event_queues, free_port, http_get, metric_value, valid_id_number, wait_until
from prometheus_client.parser import text_string_to_metric_families

from conftest import ADMIN, login_changing_password

pytestmark = pytest.mark.timeout(240)

MARKET = "140928-scjgj"


def promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        pytest.fail("`promtool` is not on PATH (Debian package `prometheus`); run scripts/install-system-deps")
    return path


def has_series(text: str, name: str, value: float | None = None, **labels) -> bool:
    """Whether the page has a sample ``name`` with these labels (and this value, when given)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == str(v) for k, v in labels.items()):
                if value is None or sample.value == value:
                    return True
    return False


def test_every_metrics_page_is_clean_and_known_series_start_at_zero(start_service, amqp_uri, tmp_path):
    for name in ("training", "cases", "supervision"):
        drop_event_queues(amqp_uri, name)  # what other tests announced while it did not run
    fast = {"RPC_TIMEOUT": "3"}
    services = {
        "training": start_service("training", f"sqlite:///{tmp_path}/training.db", amqp_uri, extra_env=fast),
        "supervision": start_service(
            "supervision",
            f"sqlite:///{tmp_path}/supervision.db",
            amqp_uri,
            extra_env={**fast, "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"},
        ),
        "cases": start_service("cases", f"sqlite:///{tmp_path}/cases.db", amqp_uri, extra_env=fast),
        "personnel": start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri),
    }
    web = free_port()
    services["gateway"] = start_service(
        "gateway", f"sqlite:///{tmp_path}/gateway.db", amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}"}
    )
    api = login_changing_password(f"http://127.0.0.1:{web}/api/v1", *ADMIN, {})
    officer = api.post(
        "/officers",
        json={
            "agency_code": MARKET,
            "name": "指标员",
            "id_number": valid_id_number(7301),
            "domains": ["market_supervision"],
        },
    )
    assert officer.status_code == 201, officer.text
    assert api.get("/officers").status_code == 200
    assert api.post("/officers", json={"agency_code": MARKET}).status_code == 400

    # promptness counters of every agency x kind exist at 0 before any obligation ends (supervision reads personnel's
    # agencies; personnel its own); a handler's error outcome exists at 0 before any error
    def supervision_page() -> str:
        return http_get(f"{services['supervision'].ops_url}/metrics")[1]

    wait_until(
        lambda: has_series(
            supervision_page(), "enforcement_promptness_measurements_total", agency=MARKET, kind="case_decided"
        ),
        timeout=30,
        message="supervision's zero promptness series",
    )
    page = supervision_page()
    assert metric_value(page, "enforcement_promptness_measurements_total", agency=MARKET, service="supervision") == 0
    for on_time in ("true", "false"):
        assert has_series(page, "enforcement_promptness_measurements_total", agency=MARKET, on_time=on_time)
    assert has_series(page, "enforcement_deadline_missed_total", agency=MARKET, kind="complaint_accepted", value=0)
    assert has_series(page, "enforcement_events_handled_total", service="supervision", outcome="error", value=0)
    assert has_series(page, "enforcement_calls_total", service="supervision", kind="rpc", outcome="error", value=0)
    personnel_page = http_get(f"{services['personnel'].ops_url}/metrics")[1]
    assert has_series(
        personnel_page,
        "enforcement_promptness_measurements_total",
        service="personnel",
        agency=MARKET,
        kind="certificate_cancelled",
        on_time="false",
        value=0,
    )
    assert "enforcement_training_hours_total" not in http_get(f"{services['training'].ops_url}/metrics")[1]

    for name, service in services.items():
        status, text = http_get(f"{service.ops_url}/metrics")
        assert status == 200, name
        checked = subprocess.run(
            [promtool(), "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0 and not (checked.stdout + checked.stderr).strip(), (
            f"promtool check metrics on {name}'s page:\n{checked.stdout}{checked.stderr}"
        )
