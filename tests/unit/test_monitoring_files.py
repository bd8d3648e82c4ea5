"""The operators' monitoring in deploy/: Prometheus alert rules and the Grafana dashboard.

* ``promtool test rules deploy/prometheus/alerts_test.yml`` runs the alert rules' unit tests (every
  alert has a case that fires and one that does not);
* every metric the alerts and the dashboard query is one the suite exports: the names are read from
  the ``Counter``/``Gauge``/``Histogram`` definitions in the kernel and the services (so renaming a
  metric in code without updating deploy/ fails here), plus RabbitMQ's own metric families that
  prometheus.yml scrapes;
* every dashboard query parses as PromQL (checked by promtool, with Grafana's variables filled in);
* the dashboard's panels use the datasource that Grafana's provisioning creates, by uid.

promtool comes from the Debian package ``prometheus`` (scripts/install-system-deps); it is required.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
ALERTS_TEST = PROMETHEUS_DIR / "alerts_test.yml"
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "enforcement.json"
DATASOURCES = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDERS = GRAFANA_DIR / "provisioning" / "dashboards" / "enforcement.yml"

# RabbitMQ's rabbitmq_prometheus families scraped from /metrics/detailed (job rabbitmq-queues), and
# Prometheus's own per-target series.
RABBITMQ_DETAILED = {
    "rabbitmq_detailed_queue_consumers",
    "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked",
    "rabbitmq_detailed_queue_messages",
}
PROMETHEUS_BUILTIN = {"up"}
# What a dashboard or rule must show (the list): each needs at least one query.
REQUIRED_ON_DASHBOARD = (
    "enforcement_agency_on_time_ratio",
    "enforcement_promptness_workdays_bucket",
    "enforcement_supervision_items_open",
    "enforcement_supervision_items_overdue",
    "enforcement_calls_total",
    "enforcement_call_duration_seconds_bucket",
    "enforcement_outbox_backlog",
    "enforcement_dead_letter_messages",
)
DEFINITION = re.compile(r"""\b(Counter|Gauge|Histogram|Summary)\(\s*f?["'](?:\{PREFIX\}|enforcement)_(\w+)["']""")
METRIC_NAME = re.compile(r"\b((?:enforcement|rabbitmq)_[a-z0-9_]+)\b")


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(
            "`promtool` is not on PATH (Debian package `prometheus`); run scripts/install-system-deps", pytrace=False
        )
    return path


def exported_metric_names() -> set[str]:
    """Every sample name the suite's code can expose, from its metric definitions."""
    sources = [
        *(REPO_ROOT / "kernel" / "enforcement_kernel").glob("*.py"),
        *(REPO_ROOT / "services").glob("*/*_service/**/*.py"),
        *(REPO_ROOT / "gateway" / "enforcement_gateway").glob("**/*.py"),
    ]
    names: set[str] = set()
    for path in sources:
        for kind, suffix in DEFINITION.findall(path.read_text(encoding="utf-8")):
            name = f"enforcement_{suffix}"
            if kind == "Histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            elif kind == "Summary":
                names |= {f"{name}_sum", f"{name}_count"}
            elif kind == "Counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
            else:
                names.add(name)
    return names


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _panels(dashboard: dict) -> list[dict]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels") or [])  # collapsed rows keep their panels inside
    return panels


def _dashboard_queries(dashboard: dict) -> list[tuple[str, str]]:
    """(panel title, expr) for every query, template variables included."""
    queries = [(p["title"], t["expr"]) for p in _panels(dashboard) for t in p.get("targets") or [] if t.get("expr")]
    for var in dashboard.get("templating", {}).get("list", []):
        query = var.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        match = re.match(r"label_values\((\w+),\s*\w+\)$", text or "")
        assert match, f"variable {var['name']}: expected label_values(metric, label), got {text!r}"
        queries.append((f"variable {var['name']}", match.group(1)))
    return queries


def _alert_queries() -> list[tuple[str, str]]:
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [(rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


# --------------------------------------------------------------------------------------------
# alert rules
# --------------------------------------------------------------------------------------------
def test_alert_rules_pass_their_promtool_tests():
    result = subprocess.run(
        [_promtool(), "test", "rules", ALERTS_TEST.name],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"promtool test rules failed:\n{result.stdout}\n{result.stderr}"


def test_every_alert_is_tested_firing_and_silent():
    tests = yaml.safe_load(ALERTS_TEST.read_text(encoding="utf-8"))
    firing, silent = set(), set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test") or []:
            (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    alerts = {name for name, _ in _alert_queries()}
    assert alerts - firing == set(), f"alerts without a case that fires: {sorted(alerts - firing)}"
    assert alerts - silent == set(), f"alerts without a case that stays silent: {sorted(alerts - silent)}"


def test_alerts_cover_the_operators_list():
    alerts = {name for name, _ in _alert_queries()}
    assert {
        "SupervisionOverdueItemsRising",
        "AgencyOnTimeRatioLow",
        "OutboxBacklogGrowing",
        "OutboxOldestPendingTooOld",
        "SubscriberQueueWithoutConsumers",
        "EventHandlerErrors",
        "DeadLetterQueueNotEmpty",
    } <= alerts


# --------------------------------------------------------------------------------------------
# metric names used by alerts and dashboard
# --------------------------------------------------------------------------------------------
def test_the_code_defines_the_agreed_metrics():
    """Guards the collector itself: if it found nothing, the next test would prove nothing."""
    names = exported_metric_names()
    assert {
        "enforcement_calls_total",
        "enforcement_call_duration_seconds_bucket",
        "enforcement_outbox_backlog",
        "enforcement_promptness_workdays_bucket",
        "enforcement_agency_on_time_ratio",
    } <= names


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_queries_use_only_metrics_the_suite_exports(source, dashboard):
    queries = _alert_queries() if source == "alerts" else _dashboard_queries(dashboard)
    known = exported_metric_names() | RABBITMQ_DETAILED | PROMETHEUS_BUILTIN
    unknown = sorted(
        {(where, name) for where, expr in queries for name in METRIC_NAME.findall(expr) if name not in known}
    )
    assert not unknown, f"{source} query metrics nobody exports: {unknown}"
    for where, expr in queries:
        assert METRIC_NAME.search(expr) or re.search(r"\bup\{", expr), f"{where}: no metric in {expr!r}"


def test_dashboard_shows_what_operators_asked_for(dashboard):
    exprs = " ".join(expr for _, expr in _dashboard_queries(dashboard))
    missing = [name for name in REQUIRED_ON_DASHBOARD if name not in exprs]
    assert not missing, f"the dashboard shows nothing of {missing}"
    assert "histogram_quantile(0.95" in exprs and "histogram_quantile(0.5" in exprs  # p50 and p95 latency


def test_dashboard_queries_are_valid_promql(dashboard, tmp_path):
    """promtool parses each query as a recording rule (Grafana's variables replaced by plain values)."""
    substitutions = {"$__range": "1h", "$__rate_interval": "1m", "$agency": ".*", "$service": ".*"}
    rules = []
    for index, (where, expr) in enumerate(_dashboard_queries(dashboard)):
        for variable, value in substitutions.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"{where}: unknown Grafana variable in {expr!r}"
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    result = subprocess.run(
        [_promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, f"a dashboard query is not valid PromQL:\n{result.stdout}\n{result.stderr}"


# --------------------------------------------------------------------------------------------
# Grafana provisioning
# --------------------------------------------------------------------------------------------
def test_dashboard_uses_the_provisioned_datasource(dashboard):
    datasources = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]
    assert len(datasources) == 1
    source = datasources[0]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    for panel in _panels(dashboard):
        if panel["type"] == "row":
            continue
        refs = [panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets") or [])]
        for ref in refs:
            assert ref == {"type": "prometheus", "uid": source["uid"]}, f"panel {panel['title']!r}: datasource {ref}"
    for var in dashboard["templating"]["list"]:
        assert var["datasource"]["uid"] == source["uid"], var["name"]


def test_dashboard_is_provisioned_from_the_mounted_folder(dashboard):
    providers = yaml.safe_load(DASHBOARD_PROVIDERS.read_text(encoding="utf-8"))["providers"]
    assert [p["options"]["path"] for p in providers] == ["/etc/grafana/dashboards"]
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro" in compose["services"]["grafana"]["volumes"]
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in _panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in _panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, f"panel {panel['title']!r} is wider than the dashboard"
