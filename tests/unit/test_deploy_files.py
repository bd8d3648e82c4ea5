"""Static checks of the deployment files.

Covers docker-compose.yml (services, profiles, read-only containers, the
Dockerfile and build args of each image; the web front end, kept apart from the
nameko services: the console, its secret, its network and the gateway's trust in
it); test_deploy_infrastructure.py checks the
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

import ipaddress
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
    PROXY_SERVICES,
    SECRET_VARIABLES,
    SERVICE_DOCKERFILE,
    WEB_SERVICES,
    compose_default,
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

    def proxied_by(svc_name: str) -> set[str]:
        return {proxy for proxy, behind in PROXY_SERVICES.items() if svc_name in behind}

    for name in APP_SERVICES:
        # a web front end's profile also starts the services it cannot run without (the console: the gateway)
        needed_by = {web for web, (_, _, needs) in WEB_SERVICES.items() if name in needs}
        for svc_name in (name, f"{name}-migrate"):
            expected = {name, "all"} | needed_by | proxied_by(svc_name)
            assert set(services[svc_name].get("profiles") or []) == expected, svc_name
    for name in WEB_SERVICES:
        assert set(services[name].get("profiles") or []) == {name, "all"} | proxied_by(name), name
    for name in PROXY_SERVICES:
        assert set(services[name].get("profiles") or []) == {name}, f"{name} needs a certificate: not in 'all'"
    assert _active(services, set()) == INFRA_SERVICES
    assert _active(services, {"all"}) == set(services) - set(PROXY_SERVICES)
    assert _active(services, {"proxy"}) == INFRA_SERVICES | {"proxy", "console", "gateway", "gateway-migrate"}
    assert _active(services, {"cases"}) == INFRA_SERVICES | {"cases", "cases-migrate"}
    assert _active(services, {"console"}) == INFRA_SERVICES | {"console", "gateway", "gateway-migrate"}


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
    """A new app service needs a row in APP_SERVICES (Dockerfile, ops port), a web front end one in WEB_SERVICES."""
    unknown = set(long_running_app_services(services)) - set(APP_SERVICES) - set(WEB_SERVICES)
    assert not unknown, f"add {sorted(unknown)} to APP_SERVICES (or WEB_SERVICES) in deploy_compose.py"
    assert not set(APP_SERVICES) & set(WEB_SERVICES)


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
    for name in [*APP_SERVICES, *(f"{n}-migrate" for n in APP_SERVICES), *WEB_SERVICES, *MONITORING_SERVICES]:
        assert "no-new-privileges:true" in (services[name].get("security_opt") or []), name
        assert services[name].get("read_only") is True, f"{name}: read_only: true"
    for name in MONITORING_SERVICES:
        user = str(services[name].get("user", ""))
        assert user and user.split(":")[0] not in {"0", "root"}, f"{name}: run as a non-root user"


def test_gateway_publishes_http_port(services):
    ports = [str(p) for p in services["gateway"].get("ports") or []]
    assert "8000:8000" in ports


# --------------------------------------------------------------------------
# (c) the web front end: the console
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WEB_SERVICES))
def test_web_service_runtime_settings(services, name):
    """Like a nameko service's container (read-only, /tmp, no privileges), but no database, broker, migrate job or
    ops port: its healthcheck is /healthz on its HTTP port, and it waits for the services it talks to."""
    dockerfile, port, needs = WEB_SERVICES[name]
    svc = services[name]

    assert svc.get("read_only") is True, f"{name}: must run with read_only: true"
    tmpfs = svc.get("tmpfs") or []
    tmpfs = [tmpfs] if isinstance(tmpfs, str) else tmpfs
    assert any(str(t).split(":")[0] == "/tmp" for t in tmpfs), f"{name}: needs a tmpfs on /tmp"
    assert "no-new-privileges:true" in (svc.get("security_opt") or [])

    healthcheck = svc.get("healthcheck")
    assert isinstance(healthcheck, dict) and healthcheck.get("test") and not healthcheck.get("disable")
    probe = " ".join(map(str, healthcheck["test"]))
    assert f"http://127.0.0.1:{port}/healthz" in probe, f"{name}: healthcheck should probe /healthz on {port}"
    assert "/health/live" not in probe and "OPS_PORT" not in probe, f"{name}: has no ops port"
    assert "urllib" in probe, f"{name}: healthcheck must not need curl"

    assert svc.get("build") == {"context": ".", "dockerfile": dockerfile}, f"{name}: build from {dockerfile}"
    assert svc.get("image") == f"enforcement-{name}:${{TAG:-dev}}"
    assert f"{port}:{port}" in [str(p) for p in svc.get("ports") or []], f"{name}: publish {port}"

    env = service_env(svc)
    assert not {"DATABASE_URL", "AMQP_URI", "OPS_PORT"} & set(env), f"{name}: no database, broker or ops port"
    assert f"{name}-migrate" not in services, f"{name} holds no data: no migrate job"

    depends = svc.get("depends_on")
    assert isinstance(depends, dict), f"{name}: depends_on must use the long (condition) form"
    assert set(depends) == set(needs)
    for needed in needs:
        assert depends[needed].get("condition") == "service_healthy", f"{name}: wait until {needed} is healthy"


def test_console_environment_starts_the_console(services, monkeypatch):
    """With nothing set on the host, compose's values are settings the console starts with (its secret is long
    enough and marked CHANGE-ME), and it reaches the gateway by its compose name."""
    from enforcement_console.settings import Settings

    env = service_env(services["console"])
    assert env["GATEWAY_URL"] == "http://gateway:8000"
    assert env["CONSOLE_SECRET_KEY"].startswith("${CONSOLE_SECRET_KEY:-CHANGE-ME")
    assert env["CONSOLE_PUBLIC_URL"] == "${CONSOLE_PUBLIC_URL:-http://localhost:8080}"
    assert env["CONSOLE_PARTS"].startswith("${CONSOLE_PARTS:-")
    for key in ("CONFIG", "CONSOLE_ADDRESS"):  # the packaged config.yml and its default address, as in the image
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, compose_default(value))
    settings = Settings.load()
    assert settings.gateway_url == "http://gateway:8000"
    assert settings.parts == {"staff", "public"}
    assert settings.public_url == "http://localhost:8080"
    assert settings.address.endswith(":8080")  # the port compose publishes and probes


def test_gateway_trusts_the_console_and_only_the_console(compose, services):
    """The console forwards each visitor's address; the gateway believes X-Forwarded-For only from the console's
    fixed address on a network that only the two of them join (not from its subnet: the network's own gateway
    address is in it)."""
    from enforcement_gateway.ratelimit import trusted_networks

    networks = services["console"].get("networks")
    assert isinstance(networks, dict) and len(networks) == 1, "the console joins one network, with a fixed address"
    ((network, attachment),) = networks.items()
    raw_address = attachment["ipv4_address"]
    address = ipaddress.ip_address(compose_default(raw_address))
    subnets = [
        ipaddress.ip_network(compose_default(c["subnet"])) for c in compose["networks"][network]["ipam"]["config"]
    ]
    assert any(address in subnet and address != next(subnet.hosts()) for subnet in subnets), (
        f"{address} must be a host of {subnets} other than the network's gateway address"
    )

    members = {name for name, svc in services.items() if network in (svc.get("networks") or [])}
    assert members == {"console", "gateway", "proxy"}, f"only the console, its proxy and the gateway join {network}"
    gateway_networks = services["gateway"]["networks"]
    assert "default" in gateway_networks, "the gateway still reaches the broker and its database"

    # the HTTPS proxy (profile "proxy") forwards visitors' addresses too, from a fixed address of its own
    raw_proxy = services["proxy"]["networks"][network]["ipv4_address"]
    proxy = ipaddress.ip_address(compose_default(raw_proxy))
    assert proxy != address and any(proxy in subnet and proxy != next(subnet.hosts()) for subnet in subnets)

    raw_trusted = service_env(services["gateway"])["GATEWAY_TRUSTED_PROXIES"]
    assert raw_trusted == f"{raw_address},{raw_proxy}", "one variable each moves an address and the gateway's trust"
    trusted = trusted_networks(compose_default(raw_trusted))
    assert any(address in net for net in trusted), f"the gateway does not trust the console ({address})"
    assert any(proxy in net for net in trusted), f"the gateway does not trust the proxy ({proxy})"
    assert all(net.num_addresses == 1 for net in trusted), f"trust single addresses, not networks: {trusted}"
    assert service_env(services["gateway-migrate"]) == service_env(services["gateway"])
