"""Static checks of the deployment files.

Covers docker-compose.yml (services, profiles, read-only containers, the
Dockerfile and build args of each image); test_deploy_infrastructure.py checks the
infrastructure services, .dockerignore and the files under deploy/ (Prometheus,
Postgres, RabbitMQ definitions); test_dockerfiles.py reads the Dockerfiles.
Nothing here builds images or starts containers; ``docker-compose`` (Debian
package ``docker-compose``) validates the file with ``config -q``, once per
profile. It is required: when it is missing the test fails and says to run
``scripts/install-system-deps``. It is never skipped, so CI cannot go green
without having validated the file (``promtool``: test_deploy_infrastructure.py;
the alert rules' own tests and the Grafana dashboard: test_monitoring_files.py).
"""

from __future__ import annotations

import re

import pytest
from deploy_compose import (
    APP_SERVICES,
    COMMON_ENV,
    COMPOSE_FILE,
    EXPECTED_SERVICES,
    EXTRA_ENV,
    INFRA_SERVICES,
    MONITORING_SERVICES,
    PROFILES,
    SECRET_VARIABLES,
    SERVICE_DOCKERFILE,
    compose_services,
    load_compose,
    long_running_app_services,
    require_tool,
    run,
    service_env,
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose_services(compose)


# --------------------------------------------------------------------------
# (a) docker-compose accepts the file
# --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [None, *sorted(PROFILES)])
def test_docker_compose_config_is_valid(profile):
    binary = require_tool("docker-compose", "docker-compose")
    selection = ["--profile", profile] if profile else []
    result = run([binary, "-f", str(COMPOSE_FILE), *selection, "config", "-q"])
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
    unknown = set(long_running_app_services(services)) - set(APP_SERVICES)
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

    env = service_env(svc)
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
    assert service_env(job) == service_env(svc), f"{name}-migrate must get the same environment as {name}"


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

    env = service_env(services[name])
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
