"""Each service on its own: one service package installed alone, and a gateway fronting only some services.

1. The cases service is installed into a fresh virtualenv with nothing but the contracts and the kernel (pip
   resolves the rest from the package index, as on a county IT host), migrated with that venv's
   ``enforcement-migrate`` against a fresh PostgreSQL database, started with its ``enforcement-run`` and called over
   RabbitMQ. If any module of cases imported personnel, training, supervision or the gateway, the import would fail
   here. Creating the venv takes about 35 s on the 2-core CI machine, so it is done once, for one service.
2. A gateway started with ``GATEWAY_SERVICES=training`` mounts the training routes and its own (log in), answers
   404 for the personnel and cases routes and leaves them out of /openapi.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from enforcement_testing import BUREAU, REPO_ROOT, ServiceProcess, db_rows, free_port, fresh_postgres_database

from enforcement_contracts.errors import ValidationFailed

pytestmark = pytest.mark.timeout(420)

NEIGHBOURS = ("personnel_service", "training_service", "supervision_service", "enforcement_gateway")


class VenvServiceProcess(ServiceProcess):
    """A ServiceProcess whose console scripts come from another virtualenv (not the suite's .venv)."""

    def __init__(self, bin_dir: Path, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bin_dir = bin_dir
        self.env.pop("PYTHONPATH", None)  # nothing from the suite's tree may leak into the child
        self.env.pop("VIRTUAL_ENV", None)

    def _tool(self, tool: str) -> str:
        return str(self.bin_dir / tool)


@pytest.fixture(scope="module")
def cases_only_venv(tmp_path_factory) -> Path:
    """A fresh venv with contracts + kernel + cases installed (non-editable, dependencies from the index)."""
    root = tmp_path_factory.mktemp("cases-only")
    venv = root / "venv"
    # the venv module of the base interpreter: a venv created from inside .venv would otherwise be the same
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True, timeout=120)
    # build from copies: a non-editable install writes build/ into the source folder it is given
    sources = []
    for package in ("contracts", "kernel", "services/cases"):
        target = root / "src" / package
        shutil.copytree(
            REPO_ROOT / package,
            target,
            ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "*.pyc"),
        )
        sources.append(str(target))
    started = time.monotonic()
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *sources],
        capture_output=True,
        text=True,
        timeout=360,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"pip install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    print(f"cases-only venv installed in {time.monotonic() - started:.0f} s")
    return venv / "bin"


def test_cases_alone_in_a_fresh_virtualenv_migrates_starts_and_answers(cases_only_venv, amqp_uri, tmp_path):
    python = str(cases_only_venv / "python")
    probe = subprocess.run(
        [
            python,
            "-c",
            "import importlib.util, json\n"
            "from importlib.metadata import entry_points, distributions\n"
            f"print(json.dumps({{'present': [m for m in {list(NEIGHBOURS)!r} if importlib.util.find_spec(m)],"
            " 'services': sorted(ep.name for ep in entry_points(group='enforcement.services')),"
            " 'dists': sorted(d.metadata['Name'] for d in distributions()"
            " if d.metadata['Name'].startswith('enforcement'))}))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    installed = json.loads(probe.stdout)
    assert installed["present"] == [], f"neighbours importable in the cases-only venv: {installed['present']}"
    assert installed["services"] == ["cases"]
    assert installed["dists"] == ["enforcement-cases", "enforcement-contracts", "enforcement-kernel"]

    with fresh_postgres_database() as url:
        cases = VenvServiceProcess(
            cases_only_venv, "cases", url, amqp_uri, tmp_path / "cases.log", extra_env={"RPC_TIMEOUT": "2"}
        )
        cases.prepare()  # enforcement-migrate cases && enforcement-seed cases, from the fresh venv
        assert db_rows(url, "SELECT version_num FROM alembic_version"), "no Alembic revision recorded"
        try:
            cases.start()  # waits for /health/ready and an RPC echo
            from nameko.standalone.rpc import ClusterRpcProxy

            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as cluster:
                assert cluster.cases.echo({"hello": "县"}) == {"hello": "县"}
                types = cluster.cases.list_item_types()
                assert types["items"] and types["total"] == len(types["items"]), (
                    "the seeded enforcement types are missing"
                )
                # a wire error crosses the broker typed, and nothing is written
                before = db_rows(url, "SELECT count(*) AS n FROM items")[0]["n"]
                with pytest.raises(ValidationFailed):
                    cluster.cases.create_item(BUREAU, {"name": ""})
                assert db_rows(url, "SELECT count(*) AS n FROM items")[0]["n"] == before
            assert "ModuleNotFoundError" not in cases.log_text()
        finally:
            cases.stop()


# --------------------------------------------------------------------------------------------
# the gateway in front of a subset of the services
# --------------------------------------------------------------------------------------------
def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_gateway_mounts_only_the_routes_of_the_services_behind_it(tmp_path, amqp_uri, start_service):
    web = free_port()
    start_service(
        "gateway",
        f"sqlite:///{tmp_path}/gateway.db",
        amqp_uri,
        extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "2", "GATEWAY_SERVICES": "training"},
    )
    root = f"http://127.0.0.1:{web}"

    status, login = _http("POST", f"{root}/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
    assert status == 200, login  # the gateway's own routes are always mounted
    token = login["token"]
    assert login["must_change_password"] is True  # the seeded admin changes its password first
    new = {"current_password": "change-me-now", "new_password": "changed-after-install"}
    status, changed = _http("POST", f"{root}/api/v1/auth/password", new, token=token)
    assert status == 200 and changed == {"changed": True}, changed

    for path in ("/api/v1/officers", "/api/v1/agencies", "/api/v1/catalogue/types"):
        status, body = _http("GET", root + path, token=token)
        assert status == 404 and body["error"] == "not_found", (path, status, body)
    # mounted: it reaches the (absent) training service and times out as 503, not 404
    status, body = _http("GET", f"{root}/api/v1/training/categories", token=token)
    assert status == 503, body

    status, spec = _http("GET", f"{root}/openapi.json")
    assert status == 200
    paths = set(spec["paths"])
    assert "/api/v1/auth/login" in paths and "/api/v1/training/categories" in paths
    assert not {"/api/v1/officers", "/api/v1/agencies", "/api/v1/catalogue/types"} & paths
    assert not any(p.startswith(("/api/v1/officers", "/api/v1/catalogue", "/api/v1/cases")) for p in paths), paths
