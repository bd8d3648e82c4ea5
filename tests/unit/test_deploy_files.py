"""Static checks of the deployment files.

Covers docker-compose.yml (services, profiles, read-only containers, the
Dockerfile and build args of each image), .dockerignore and the files under
deploy/ (Prometheus, Postgres, RabbitMQ definitions); test_dockerfiles.py reads
the Dockerfiles. Nothing here builds images or starts containers; the two
external validators are run as subprocesses:

* ``docker-compose`` (Debian package ``docker-compose``) for ``config -q``, once
  per profile;
* ``promtool`` (Debian package ``prometheus``) for ``check config`` (which also
  checks the rule files it names). The alert rules' own tests and the Grafana
  dashboard are checked in test_monitoring_files.py.

Both are required: when one is missing the test fails and says to run
``scripts/install-system-deps``. They are never skipped, so CI cannot go green
without having validated the files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_FILE = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
POSTGRES_INIT = REPO_ROOT / "deploy" / "postgres" / "init-databases.sql"
RABBITMQ_PLUGINS = REPO_ROOT / "deploy" / "rabbitmq" / "enabled_plugins"
RABBITMQ_DEFINITIONS = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.json"
RABBITMQ_DEFINITIONS_CONF = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.conf"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

INSTALL_HINT = "run scripts/install-system-deps to install the system packages the tests need"

# Application services in the stack today: name -> (Dockerfile, OPS_PORT). The services share
# one Dockerfile, built with the args SERVICE=<name> and OPS_PORT=<port>.
SERVICE_DOCKERFILE = "deploy/service.Dockerfile"
APP_SERVICES = {
    "personnel": (SERVICE_DOCKERFILE, 9101),
    "cases": (SERVICE_DOCKERFILE, 9103),
    "training": (SERVICE_DOCKERFILE, 9102),
    "supervision": (SERVICE_DOCKERFILE, 9104),
    "gateway": ("gateway/Dockerfile", 9100),
}
INFRA_SERVICES = {"rabbitmq", "postgres"}  # always run: no profile
MONITORING_SERVICES = {"prometheus", "grafana"}
PROFILES = set(APP_SERVICES) | {"monitoring", "all"}
EXPECTED_SERVICES = (
    INFRA_SERVICES | MONITORING_SERVICES | set(APP_SERVICES) | {f"{name}-migrate" for name in APP_SERVICES}
)
DATABASES = {"personnel", "training", "cases", "supervision", "gateway"}

COMMON_ENV = {"AMQP_URI", "DATABASE_URL", "OPS_PORT", "CONFIG", "LOG_LEVEL"}
EXTRA_ENV = {
    "personnel": {"ID_ENCRYPTION_KEY", "ID_HASH_KEY"},
    "cases": {"ID_ENCRYPTION_KEY", "ID_HASH_KEY"},
    "supervision": {"ID_ENCRYPTION_KEY", "ID_HASH_KEY"},
    "gateway": {
        "GATEWAY_SERVICES",
        "GATEWAY_ADMIN_USERNAME",
        "GATEWAY_ADMIN_PASSWORD",
        "GATEWAY_PUBLIC_RATE_LIMIT",
        "RABBITMQ_MANAGEMENT_URL",
        "RABBITMQ_ADMIN_USER",
        "RABBITMQ_ADMIN_PASSWORD",
    },
}
# Host variables holding secrets (each with a CHANGE-ME development default).
SECRET_VARIABLES = (
    "POSTGRES_PASSWORD",
    "GATEWAY_ADMIN_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
    *(
        f"{name.upper()}_{key}"
        for name in ("personnel", "cases", "supervision")
        for key in ("ID_ENCRYPTION_KEY", "ID_HASH_KEY")
    ),
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _require_tool(binary: str, debian_package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(
            f"`{binary}` is not on PATH (Debian package `{debian_package}`); {INSTALL_HINT}",
            pytrace=False,
        )
    return path


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    svcs = compose.get("services")
    assert isinstance(svcs, dict) and svcs, "docker-compose.yml has no services"
    return svcs


@pytest.fixture(scope="module")
def prometheus_config() -> dict:
    with PROMETHEUS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "prometheus.yml is not a mapping"
    return data


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", ...] form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _ops_ports(services: dict) -> dict[str, int]:
    """compose service name -> OPS_PORT, for every service that sets one."""
    ports = {}
    for name, svc in services.items():
        value = _env(svc).get("OPS_PORT")
        if value:
            ports[name] = int(value)
    return ports


def _container_ports(service: dict) -> set[int]:
    """Container-side ports a service publishes or exposes."""
    result: set[int] = set()
    for entry in list(service.get("ports") or []) + list(service.get("expose") or []):
        if isinstance(entry, dict):  # long syntax
            result.add(int(entry["target"]))
            continue
        text = str(entry).split("/", 1)[0]  # drop /tcp
        result.add(int(text.rsplit(":", 1)[-1]))
    return result


def _long_running_app_services(services: dict) -> list[str]:
    """Services built from this repo that are not one-shot migrate jobs."""
    return sorted(name for name, svc in services.items() if "build" in svc and not name.endswith("-migrate"))


def _scrape_targets(config: dict) -> list[tuple[str, str, str]]:
    """(job_name, host, port) for every static target."""
    targets = []
    for job in config.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                targets.append((job["job_name"], host, port))
    return targets


# --------------------------------------------------------------------------
# (a) docker-compose accepts the file
# --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [None, *sorted(PROFILES)])
def test_docker_compose_config_is_valid(profile):
    binary = _require_tool("docker-compose", "docker-compose")
    selection = ["--profile", profile] if profile else []
    result = _run([binary, "-f", str(COMPOSE_FILE), *selection, "config", "-q"])
    assert result.returncode == 0, (
        f"`docker-compose -f docker-compose.yml {' '.join(selection)} config -q` exited {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )


def _active(services: dict, profiles: set[str]) -> set[str]:
    """The services `docker compose --profile ...` starts: those without profiles, plus the selected."""
    return {name for name, svc in services.items() if not svc.get("profiles") or set(svc["profiles"]) & profiles}


def test_profiles_select_each_service_with_its_migrate_job(services):
    for name in INFRA_SERVICES:
        assert not services[name].get("profiles"), f"{name} is infrastructure: it must run in every profile"
    for name in MONITORING_SERVICES:
        assert set(services[name].get("profiles") or []) == {"monitoring", "all"}, name
    for name in APP_SERVICES:
        for svc_name in (name, f"{name}-migrate"):
            assert set(services[svc_name].get("profiles") or []) == {name, "all"}, svc_name
    assert _active(services, set()) == INFRA_SERVICES
    assert _active(services, {"all"}) == set(services)
    assert _active(services, {"cases"}) == INFRA_SERVICES | {"cases", "cases-migrate"}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_has_what_its_services_depend_on(services, profile):
    """`up` refuses a service whose dependency is not started: each profile must be closed."""
    active = _active(services, {profile})
    for name in active:
        depends = services[name].get("depends_on") or {}
        missing = set(depends) - active
        assert not missing, f"--profile {profile}: {name} depends on {sorted(missing)}, which do not start"


# --------------------------------------------------------------------------
# (b) structure of the compose file (the Dockerfiles: test_dockerfiles.py)
# --------------------------------------------------------------------------


def test_compose_has_no_obsolete_version_key(compose):
    assert "version" not in compose, "use the compose spec: drop the top-level `version:` key"


def test_compose_has_expected_services(services):
    missing = EXPECTED_SERVICES - set(services)
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


def test_every_built_service_is_known(services):
    """A new app service needs a row in APP_SERVICES (Dockerfile, ops port)."""
    unknown = set(_long_running_app_services(services)) - set(APP_SERVICES)
    assert not unknown, f"add {sorted(unknown)} to APP_SERVICES in this test"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_runtime_settings(services, name):
    dockerfile, ops_port = APP_SERVICES[name]
    svc = services[name]

    assert svc.get("read_only") is True, f"{name}: must run with read_only: true"
    tmpfs = svc.get("tmpfs") or []
    tmpfs = [tmpfs] if isinstance(tmpfs, str) else tmpfs
    assert any(str(t).split(":")[0] == "/tmp" for t in tmpfs), f"{name}: needs a tmpfs on /tmp"

    healthcheck = svc.get("healthcheck")
    assert isinstance(healthcheck, dict) and healthcheck.get("test"), f"{name}: no healthcheck"
    assert not healthcheck.get("disable"), f"{name}: healthcheck is disabled"
    assert "/health/live" in " ".join(map(str, healthcheck["test"])), f"{name}: healthcheck should probe /health/live"

    build = svc.get("build")
    assert isinstance(build, dict), f"{name}: build must be a mapping"
    assert build.get("context") == ".", f"{name}: build context must be the repo root"
    assert build.get("dockerfile") == dockerfile
    expected_args = {"SERVICE": name, "OPS_PORT": str(ops_port)} if dockerfile == SERVICE_DOCKERFILE else None
    assert build.get("args") == expected_args, f"{name}: build args should be {expected_args}"

    env = _env(svc)
    missing = (COMMON_ENV | EXTRA_ENV.get(name, set())) - set(env)
    assert not missing, f"{name}: environment lacks {sorted(missing)}"
    assert env["OPS_PORT"] == str(ops_port)
    assert env["DATABASE_URL"].startswith("postgresql+psycopg2://")
    assert env["DATABASE_URL"].endswith(f"@postgres:5432/{name}")
    assert env["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672" in env["AMQP_URI"]

    depends = svc.get("depends_on")
    assert isinstance(depends, dict), f"{name}: depends_on must use the long (condition) form"
    assert depends.get("rabbitmq", {}).get("condition") == "service_healthy"
    assert depends.get("postgres", {}).get("condition") == "service_healthy"
    assert depends.get(f"{name}-migrate", {}).get("condition") == "service_completed_successfully", (
        f"{name}: must wait for {name}-migrate to complete successfully"
    )


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_migrate_job_is_one_shot_with_the_same_image(services, name):
    job = services[f"{name}-migrate"]
    svc = services[name]
    assert job.get("image") and job.get("image") == svc.get("image"), (
        f"{name}-migrate must use the same image as {name}"
    )
    assert job.get("build") == svc.get("build")
    assert str(job.get("restart")) == "no", f'{name}-migrate: restart must be "no"'
    command = job.get("command")
    command = " ".join(command) if isinstance(command, list) else str(command)
    assert f"enforcement-migrate {name} && enforcement-seed {name}" in command
    assert job.get("read_only") is True
    assert _env(job) == _env(svc), f"{name}-migrate must get the same environment as {name}"


def test_secrets_have_change_me_defaults():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for var in SECRET_VARIABLES:
        match = re.search(r"\$\{" + var + r":-([^}]*)\}", text)
        assert match, f"{var} must be read from the environment with a dev default"
        assert "CHANGE-ME" in match.group(1), f"{var}: dev default must be marked CHANGE-ME"


@pytest.mark.parametrize("name", sorted(EXTRA_ENV.keys() - {"gateway"}))
def test_personal_data_keys_are_per_service_and_valid(services, name):
    """Each service has keys of its own, and the development key is a usable Fernet key (the service starts)."""
    from cryptography.fernet import Fernet

    env = _env(services[name])
    assert f"${{{name.upper()}_ID_ENCRYPTION_KEY:-" in env["ID_ENCRYPTION_KEY"]
    assert f"${{{name.upper()}_ID_HASH_KEY:-" in env["ID_HASH_KEY"]
    default_key = env["ID_ENCRYPTION_KEY"].split(":-", 1)[1].rstrip("}")
    Fernet(default_key.encode())  # raises ValueError on a malformed key


def test_app_containers_cannot_gain_privileges(services):
    for name in [*APP_SERVICES, *(f"{n}-migrate" for n in APP_SERVICES), *MONITORING_SERVICES]:
        assert "no-new-privileges:true" in (services[name].get("security_opt") or []), name
        assert services[name].get("read_only") is True, f"{name}: read_only: true"
    for name in MONITORING_SERVICES:
        user = str(services[name].get("user", ""))
        assert user and user.split(":")[0] not in {"0", "root"}, f"{name}: run as a non-root user"


def test_gateway_publishes_http_port(services):
    ports = [str(p) for p in services["gateway"].get("ports") or []]
    assert "8000:8000" in ports


def test_infrastructure_services(services):
    rabbit = services["rabbitmq"]
    assert rabbit["image"].startswith("rabbitmq:3.13-management")
    assert "rabbitmq-diagnostics -q ping" in " ".join(rabbit["healthcheck"]["test"])
    assert {5672, 15672, 15692} <= _container_ports(rabbit)
    rabbit_volumes = [str(v) for v in rabbit.get("volumes") or []]
    assert "./deploy/rabbitmq/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro" in rabbit_volumes
    assert "./deploy/rabbitmq/definitions.conf:/etc/rabbitmq/conf.d/20-definitions.conf:ro" in rabbit_volumes
    assert "./deploy/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json:ro" in rabbit_volumes
    # ignored once definitions are loaded at boot: keeping them would suggest they set the password
    assert not {"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"} & set(_env(rabbit))

    pg = services["postgres"]
    assert pg["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "POSTGRES_PASSWORD" in _env(pg)
    assert any(
        str(v).startswith("./deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/")
        for v in pg.get("volumes") or []
    )

    prom = services["prometheus"]
    assert prom["image"].startswith("prom/prometheus")
    assert 9090 in _container_ports(prom)
    prom_volumes = [str(v) for v in prom.get("volumes") or []]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prom_volumes
    assert "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prom_volumes

    grafana = services["grafana"]
    assert grafana["image"].startswith("grafana/grafana:")
    assert 3000 in _container_ports(grafana)
    grafana_volumes = [str(v) for v in grafana.get("volumes") or []]
    for source, target in (
        ("provisioning/datasources", "/etc/grafana/provisioning/datasources"),
        ("provisioning/dashboards", "/etc/grafana/provisioning/dashboards"),
        ("dashboards", "/etc/grafana/dashboards"),
    ):
        assert f"./deploy/grafana/{source}:{target}:ro" in grafana_volumes
    assert "CHANGE-ME" in _env(grafana)["GF_SECURITY_ADMIN_PASSWORD"]


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
    uri = _env(services["personnel"])["AMQP_URI"]
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
    for needed in ("kernel", "contracts", "services", "gateway"):
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
    ops_ports = _ops_ports(services)
    targets = _scrape_targets(prometheus_config)
    assert targets, "prometheus.yml has no static targets"
    for job, host, port in targets:
        where = f"job {job!r} target {host}:{port}"
        if host == "localhost" and job == "prometheus":  # self-scrape
            assert int(port) in _container_ports(services["prometheus"]), where
            continue
        assert host in services, f"{where}: {host!r} is not a compose service"
        if host in ops_ports:
            assert int(port) == ops_ports[host], (
                f"{where}: port differs from OPS_PORT={ops_ports[host]} in docker-compose.yml"
            )
        else:
            assert int(port) in _container_ports(services[host]), (
                f"{where}: port is neither an OPS_PORT nor a port of that service"
            )


def test_every_ops_port_is_scraped(services, prometheus_config):
    scraped = {(host, int(port)) for _, host, port in _scrape_targets(prometheus_config)}
    for name, port in _ops_ports(services).items():
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
    binary = _require_tool("promtool", "prometheus")
    result = _run([binary, "check", "config", str(PROMETHEUS_FILE)])
    assert result.returncode == 0, (
        f"`promtool check config deploy/prometheus/prometheus.yml` exited {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )
