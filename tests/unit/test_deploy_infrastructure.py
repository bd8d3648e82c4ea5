"""Static checks of the infrastructure in docker-compose.yml and the files under deploy/ it mounts: RabbitMQ
(plugins, definitions with the services' account), PostgreSQL (one database per service), Prometheus (targets
agree with the compose file; ``promtool check config``, required like ``docker-compose`` in
test_deploy_files.py: never skipped), Grafana, and .dockerignore.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from deploy_compose import (
    APP_SERVICES,
    DATABASES,
    DOCKERIGNORE,
    POSTGRES_INIT,
    PROMETHEUS_FILE,
    RABBITMQ_DEFINITIONS,
    RABBITMQ_DEFINITIONS_CONF,
    RABBITMQ_PLUGINS,
    REPO_ROOT,
    compose_ops_ports,
    compose_services,
    container_ports,
    load_compose,
    load_prometheus_config,
    require_tool,
    run,
    scrape_targets,
    service_env,
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose_services(compose)


@pytest.fixture(scope="module")
def prometheus_config() -> dict:
    return load_prometheus_config()


def test_infrastructure_services(services):
    rabbit = services["rabbitmq"]
    assert rabbit["image"].startswith("rabbitmq:3.13-management")
    assert "rabbitmq-diagnostics -q ping" in " ".join(rabbit["healthcheck"]["test"])
    assert {5672, 15672, 15692} <= container_ports(rabbit)
    rabbit_volumes = [str(v) for v in rabbit.get("volumes") or []]
    assert "./deploy/rabbitmq/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro" in rabbit_volumes
    assert "./deploy/rabbitmq/definitions.conf:/etc/rabbitmq/conf.d/20-definitions.conf:ro" in rabbit_volumes
    assert "./deploy/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json:ro" in rabbit_volumes
    # ignored once definitions are loaded at boot: keeping them would suggest they set the password
    assert not {"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"} & set(service_env(rabbit))

    pg = services["postgres"]
    assert pg["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "POSTGRES_PASSWORD" in service_env(pg)
    assert any(
        str(v).startswith("./deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/")
        for v in pg.get("volumes") or []
    )

    prom = services["prometheus"]
    assert prom["image"].startswith("prom/prometheus")
    assert 9090 in container_ports(prom)
    prom_volumes = [str(v) for v in prom.get("volumes") or []]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prom_volumes
    assert "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prom_volumes

    grafana = services["grafana"]
    assert grafana["image"].startswith("grafana/grafana:")
    assert 3000 in container_ports(grafana)
    grafana_volumes = [str(v) for v in grafana.get("volumes") or []]
    for source, target in (
        ("provisioning/datasources", "/etc/grafana/provisioning/datasources"),
        ("provisioning/dashboards", "/etc/grafana/provisioning/dashboards"),
        ("dashboards", "/etc/grafana/dashboards"),
    ):
        assert f"./deploy/grafana/{source}:{target}:ro" in grafana_volumes
    assert "CHANGE-ME" in service_env(grafana)["GF_SECURITY_ADMIN_PASSWORD"]


def test_every_mounted_file_exists(services):
    for name, svc in services.items():
        for volume in svc.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), f"{name} mounts {source}, which does not exist"


def test_rabbitmq_loads_definitions_with_the_services_account(services):
    conf = RABBITMQ_DEFINITIONS_CONF.read_text(encoding="utf-8")
    settings = {
        key.strip(): value.strip()
        for key, _, value in (line.partition("=") for line in conf.splitlines())
        if key.strip() and not key.strip().startswith("#")
    }
    assert settings == {"load_definitions": "/etc/rabbitmq/definitions.json"}

    definitions = json.loads(RABBITMQ_DEFINITIONS.read_text(encoding="utf-8"))
    assert {"name": "/"} in definitions["vhosts"] or any(v["name"] == "/" for v in definitions["vhosts"])
    exchanges = {e["name"] for e in definitions["exchanges"] if e["vhost"] == "/"}
    assert {"personnel.events", "training.events", "cases.events", "enforcement.dead-letter"} <= exchanges

    # no default user is created when definitions load at boot: the account in the services'
    # AMQP_URI (its development default) must be in the file, with that password and full rights
    uri = service_env(services["personnel"])["AMQP_URI"]
    match = re.match(r"amqp://\$\{RABBITMQ_USER:-([^}]*)\}:\$\{RABBITMQ_PASSWORD:-([^}]*)\}@rabbitmq:5672/$", uri)
    assert match, uri
    user_name, password = match.groups()
    users = {u["name"]: u for u in definitions["users"]}
    assert user_name in users, f"definitions.json lacks the services' account {user_name!r}"
    user = users[user_name]
    assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
    raw = base64.b64decode(user["password_hash"])
    salt, digest = raw[:4], raw[4:]
    assert hashlib.sha256(salt + password.encode()).digest() == digest, (
        f"the password hash of {user_name!r} in definitions.json does not match RABBITMQ_PASSWORD's default"
    )
    rights = [p for p in definitions["permissions"] if p["user"] == user_name and p["vhost"] == "/"]
    assert rights and rights[0]["configure"] == rights[0]["write"] == rights[0]["read"] == ".*"


def test_dockerignore_excludes_local_state():
    assert DOCKERIGNORE.is_file(), "missing .dockerignore at the repository root"
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".venv", "var", ".git", "**/__pycache__", "**/*.db", "bench", ".env"):
        assert required in patterns, f".dockerignore must exclude {required}"
    # the console image builds its npm assets itself (console/Dockerfile, stage 1): a developer's node_modules
    # (large) and static/vendor/ (possibly stale) must not reach the context
    for required in ("console/node_modules", "console/enforcement_console/static/vendor"):
        assert required in patterns, f".dockerignore must exclude {required}"
    for needed in ("kernel", "contracts", "services", "gateway", "console", "scripts", "console/package-lock.json"):
        assert needed not in patterns, f".dockerignore must not exclude {needed}"


def test_postgres_init_creates_every_database():
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    created = set(re.findall(r"^\s*CREATE\s+DATABASE\s+(\w+)\s*;", sql, re.I | re.M))
    assert created == DATABASES


def test_rabbitmq_enabled_plugins():
    text = RABBITMQ_PLUGINS.read_text(encoding="utf-8").strip()
    assert text == "[rabbitmq_management,rabbitmq_prometheus]."


# --------------------------------------------------------------------------
# (c) Prometheus targets agree with the compose file
# --------------------------------------------------------------------------


def test_scrape_target_ports_match_compose(services, prometheus_config):
    ops_ports = compose_ops_ports(services)
    targets = scrape_targets(prometheus_config)
    assert targets, "prometheus.yml has no static targets"
    for job, host, port in targets:
        where = f"job {job!r} target {host}:{port}"
        if host == "localhost" and job == "prometheus":  # self-scrape
            assert int(port) in container_ports(services["prometheus"]), where
            continue
        assert host in services, f"{where}: {host!r} is not a compose service"
        if host in ops_ports:
            assert int(port) == ops_ports[host], (
                f"{where}: port differs from OPS_PORT={ops_ports[host]} in docker-compose.yml"
            )
        else:
            assert int(port) in container_ports(services[host]), (
                f"{where}: port is neither an OPS_PORT nor a port of that service"
            )


def test_every_ops_port_is_scraped(services, prometheus_config):
    scraped = {(host, int(port)) for _, host, port in scrape_targets(prometheus_config)}
    for name, port in compose_ops_ports(services).items():
        if name.endswith("-migrate"):
            continue  # one-shot jobs share the service's env but serve nothing
        assert (name, port) in scraped, f"prometheus.yml does not scrape {name}:{port}"


def test_app_jobs_scrape_metrics_path(prometheus_config):
    for job in prometheus_config["scrape_configs"]:
        hosts = {t.rpartition(":")[0] for s in job.get("static_configs", []) for t in s["targets"]}
        if hosts & set(APP_SERVICES):
            assert job.get("metrics_path", "/metrics") == "/metrics"


def test_rabbitmq_queue_metrics_are_scraped_per_queue(prometheus_config):
    """The subscriber-queue alerts need RabbitMQ's per-queue figures, which only /metrics/detailed gives."""
    jobs = {job["job_name"]: job for job in prometheus_config["scrape_configs"]}
    job = jobs["rabbitmq-queues"]
    assert job["metrics_path"] == "/metrics/detailed"
    assert set(job["params"]["family"]) == {"queue_coarse_metrics", "queue_consumer_count"}
    assert prometheus_config["rule_files"] == ["alerts.yml"]


# --------------------------------------------------------------------------
# (d) promtool accepts the Prometheus configuration
# --------------------------------------------------------------------------


def test_promtool_check_config():
    binary = require_tool("promtool", "prometheus")
    result = run([binary, "check", "config", str(PROMETHEUS_FILE)])
    assert result.returncode == 0, (
        f"`promtool check config deploy/prometheus/prometheus.yml` exited {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )
