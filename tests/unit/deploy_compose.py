"""Shared by the deployment-file tests (test_deploy_files.py, test_deploy_infrastructure.py): the paths, what the
stack is expected to hold, and small readers of docker-compose.yml and prometheus.yml. Not a test module.
"""

from __future__ import annotations

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
# Web front ends built from this repo, kept apart from APP_SERVICES: no nameko, no database, no broker, no
# migrate job and no OPS_PORT; an HTTP port whose /healthz is the healthcheck. name -> (Dockerfile, port, the
# gateway services it needs: its profile starts them too).
WEB_SERVICES = {
    "console": ("console/Dockerfile", 8080, ("gateway",)),
}
INFRA_SERVICES = {"rabbitmq", "postgres"}  # always run: no profile
MONITORING_SERVICES = {"prometheus", "grafana"}
# The HTTPS reverse proxy (an nginx image, deploy/proxy/nginx.conf): profile "proxy" only (it needs the county's
# certificate, so "all" does not start it); the profile also starts what it proxies: name -> those services.
PROXY_SERVICES = {"proxy": ("console", "gateway", "gateway-migrate")}
PROFILES = set(APP_SERVICES) | set(WEB_SERVICES) | set(PROXY_SERVICES) | {"monitoring", "all"}
EXPECTED_SERVICES = (
    INFRA_SERVICES
    | MONITORING_SERVICES
    | set(APP_SERVICES)
    | {f"{name}-migrate" for name in APP_SERVICES}
    | set(WEB_SERVICES)
    | set(PROXY_SERVICES)
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
    "CONSOLE_SECRET_KEY",
    *(
        f"{name.upper()}_{key}"
        for name in ("personnel", "cases", "supervision")
        for key in ("ID_ENCRYPTION_KEY", "ID_HASH_KEY")
    ),
)


def require_tool(binary: str, debian_package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(
            f"`{binary}` is not on PATH (Debian package `{debian_package}`); {INSTALL_HINT}",
            pytrace=False,
        )
    return path


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", ...] form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


_DEFAULTED = re.compile(r"\$\{(\w+):-([^}]*)\}")


def compose_default(value) -> str:
    """A compose value as it is with no variable set: every ``${VAR:-default}`` replaced by its default."""
    return _DEFAULTED.sub(lambda m: m.group(2), str(value))


def compose_ops_ports(services: dict) -> dict[str, int]:
    """compose service name -> OPS_PORT, for every service that sets one."""
    ports = {}
    for name, svc in services.items():
        value = service_env(svc).get("OPS_PORT")
        if value:
            ports[name] = int(value)
    return ports


def container_ports(service: dict) -> set[int]:
    """Container-side ports a service publishes or exposes."""
    result: set[int] = set()
    for entry in list(service.get("ports") or []) + list(service.get("expose") or []):
        if isinstance(entry, dict):  # long syntax
            result.add(int(entry["target"]))
            continue
        text = str(entry).split("/", 1)[0]  # drop /tcp
        result.add(int(text.rsplit(":", 1)[-1]))
    return result


def long_running_app_services(services: dict) -> list[str]:
    """Services built from this repo that are not one-shot migrate jobs."""
    return sorted(name for name, svc in services.items() if "build" in svc and not name.endswith("-migrate"))


def scrape_targets(config: dict) -> list[tuple[str, str, str]]:
    """(job_name, host, port) for every static target."""
    targets = []
    for job in config.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                targets.append((job["job_name"], host, port))
    return targets


def load_compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def compose_services(compose: dict) -> dict:
    svcs = compose.get("services")
    assert isinstance(svcs, dict) and svcs, "docker-compose.yml has no services"
    return svcs


def load_prometheus_config() -> dict:
    with PROMETHEUS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), "prometheus.yml is not a mapping"
    return data
