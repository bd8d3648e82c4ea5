"""The images docker-compose.yml builds, checked without a Docker engine (none runs here).

The services share deploy/service.Dockerfile, built with the args SERVICE and OPS_PORT; the
gateway has gateway/Dockerfile; the console (a web front end, no nameko) has console/Dockerfile,
whose first stage builds its npm assets. Each Dockerfile is read the way Docker reads it for one
compose service: build args and ENV substituted where Docker substitutes them at build time
(COPY, ENV, EXPOSE, ...; RUN gets them as shell variables), and CMD and HEALTHCHECK expanded
against the image's ENV, as their shells see it at run time. The checks are then about that
service's image: what it copies and installs, its user, port, healthcheck and command. A
multi-stage file is read stage by stage; the image is its last stage.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from deploy_compose import WEB_SERVICES

ROOT = Path(__file__).resolve().parents[2]
SHARED_DOCKERFILE = "deploy/service.Dockerfile"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
# compose service -> its build section, for the long-running services (a migrate job builds the
# same image; test_deploy_files.py checks that it has the same build section)
ALL_BUILDS = {name: svc["build"] for name, svc in COMPOSE.items() if "build" in svc and not name.endswith("-migrate")}
# the nameko services and the gateway (kernel, OPS_PORT, enforcement-run) and the web front ends, apart
BUILDS = {name: build for name, build in ALL_BUILDS.items() if name not in WEB_SERVICES}
WEB_BUILDS = {name: build for name, build in ALL_BUILDS.items() if name in WEB_SERVICES}
SERVICE_PACKAGES = sorted(p.parent for p in ROOT.glob("services/*/pyproject.toml"))
# instructions Docker does not substitute variables in; a shell may expand them at run time
RUNTIME_INSTRUCTIONS = {"CMD", "HEALTHCHECK", "ENTRYPOINT"}
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass
class Image:
    dockerfile: str
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, arguments)
    declared_args: dict[str, str | None] = field(default_factory=dict)  # ARG name -> default
    env: dict[str, str] = field(default_factory=dict)  # the image's ENV

    def all(self, keyword: str) -> list[str]:
        return [args for kind, args in self.instructions if kind == keyword]

    def command(self) -> list[str]:
        """CMD as the process it starts: a `sh -c "exec ..."` wrapper is unwrapped, its variables expanded."""
        command = json.loads(self.all("CMD")[-1])
        if command[:2] == ["sh", "-c"]:
            command = shlex.split(_substitute(command[2], self.env))
            if command[0] == "exec":
                command = command[1:]
        return command


def _substitute(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), ""), text)


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments and continuations folded."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, f"{path.name} ends inside a continued line"
    return instructions


def build_stages(dockerfile: str, args: dict[str, str] | None = None) -> list[Image]:
    """Each stage of `docker build -f dockerfile --build-arg ...`, in order (ENV and ARG do not cross a FROM)."""
    stages: list[Image] = []
    image = Image(dockerfile)
    values: dict[str, str] = {}  # ARG and ENV values visible to the next instruction
    for keyword, text in _instructions(ROOT / dockerfile):
        if keyword == "FROM" and image.instructions:
            stages.append(image)
            image, values = Image(dockerfile), {}
        if keyword == "ARG":
            name, _, default = text.partition("=")
            image.declared_args[name] = default if "=" in text else None
            values[name] = (args or {}).get(name, default)
        elif keyword not in RUNTIME_INSTRUCTIONS:
            text = _substitute(text, values)
        if keyword == "ENV":
            for pair in shlex.split(text):
                name, _, value = pair.partition("=")
                image.env[name] = values[name] = value
        image.instructions.append((keyword, text))
    return [*stages, image]


def build(dockerfile: str, args: dict[str, str] | None = None) -> Image:
    """The image `docker build -f dockerfile --build-arg ...` would describe: its last stage."""
    return build_stages(dockerfile, args)[-1]


def stages_of(name: str) -> list[Image]:
    section = ALL_BUILDS[name]
    return build_stages(section["dockerfile"], {k: str(v) for k, v in (section.get("args") or {}).items()})


def image_of(name: str) -> Image:
    return stages_of(name)[-1]


def _copy_sources(args: str) -> list[str]:
    """The build-context paths a COPY takes (none for `COPY --from=<stage>`, which copies from a stage)."""
    words = args.split()
    if any(word.startswith("--from=") for word in words):
        return []
    return [word for word in words[:-1] if not word.startswith("--")]


def _config_ops_port(package: Path) -> str:
    text = (package / f"{package.name}_service" / "config.yml").read_text(encoding="utf-8")
    match = re.search(r"^OPS_PORT:\s*\$\{OPS_PORT:(\d+)\}\s*$", text, re.M)
    assert match, f"{package.name}: config.yml has no `OPS_PORT: ${{OPS_PORT:<port>}}` line"
    return match.group(1)


def test_every_service_package_is_built_by_the_shared_dockerfile():
    """A package in services/ is deployable only if compose builds it with the args its files imply."""
    assert SERVICE_PACKAGES, "no service package found"
    for package in SERVICE_PACKAGES:
        name = package.name
        project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        plugins = project.get("entry-points", {}).get("enforcement.services", {})
        # CMD runs `enforcement-run $SERVICE` and the config is copied from ${SERVICE}_service:
        # the folder, the entry point and the module must all carry the service's name
        assert plugins.get(name) == f"{name}_service.plugin:PLUGIN", (
            f"services/{name}: entry point enforcement.services `{name} = {name}_service.plugin:PLUGIN` expected,"
            f" found {plugins}"
        )
        assert name in BUILDS, f"docker-compose.yml does not build services/{name}"
        section = BUILDS[name]
        assert section.get("dockerfile") == SHARED_DOCKERFILE, f"{name}: build it from {SHARED_DOCKERFILE}"
        assert section.get("args") == {"SERVICE": name, "OPS_PORT": _config_ops_port(package)}, (
            f"{name}: build args must be SERVICE={name} and OPS_PORT as its config.yml's default"
        )


@pytest.mark.parametrize("name", sorted(ALL_BUILDS))
def test_build_args_are_the_ones_the_dockerfile_declares(name):
    image = image_of(name)
    given = set(ALL_BUILDS[name].get("args") or {})
    required = {arg for arg, default in image.declared_args.items() if default is None}
    assert required <= given, f"{name}: compose does not pass {sorted(required - given)}"
    assert given <= set(image.declared_args), (
        f"{name}: {image.dockerfile} declares no ARG {sorted(given - set(image.declared_args))}"
    )


@pytest.mark.parametrize("name", sorted(ALL_BUILDS))
def test_copied_paths_exist_in_the_build_context(name):
    sources = []
    for image in stages_of(name):
        sources += [src for args in image.all("COPY") for src in _copy_sources(args)]
        # files copied inside the image from the build folder (/build mirrors the repository root)
        sources += [src.strip('"') for args in image.all("RUN") for src in re.findall(r"\bcp\s+(\S+)\s+/etc/", args)]
    assert sources, "no COPY found"
    for src in sources:
        assert (ROOT / src).exists(), f"{image.dockerfile} copies {src} for {name}, which does not exist"


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_image(name):
    image = image_of(name)
    dockerfile = image.dockerfile
    package = "gateway" if name == "gateway" else f"services/{name}"
    ops_port = str(COMPOSE[name]["environment"]["OPS_PORT"])

    assert image.all("FROM")[0].split()[0] == "python:3.11-slim"

    users = image.all("USER")
    assert users, f"{dockerfile}: no USER instruction (image would run as root)"
    assert users[-1].split(":")[0] == "10001", f"{dockerfile}: expected USER 10001, got {users[-1]}"
    # nothing after the last USER runs as root
    kinds = [kind for kind, _ in image.instructions]
    assert max(i for i, k in enumerate(kinds) if k == "USER") > max(i for i, k in enumerate(kinds) if k == "RUN")

    assert image.env.get("PYTHONUNBUFFERED") == "1", f"{dockerfile}: set PYTHONUNBUFFERED=1"
    assert image.env.get("CONFIG") == "/etc/enforcement/config.yml"
    assert image.env.get("OPS_PORT") == ops_port, f"{name}: the image's OPS_PORT differs from compose's"

    exposed = {p.split("/")[0] for args in image.all("EXPOSE") for p in args.split()}
    assert ops_port in exposed, f"{dockerfile}: EXPOSE {ops_port} for {name}"
    if name == "gateway":
        assert "8000" in exposed, f"{dockerfile}: EXPOSE 8000"

    copies = " ".join(image.all("COPY"))
    for source in ("kernel/", "contracts/", f"{package}/"):
        assert source in copies.split(), f"{dockerfile}: must COPY {source} for {name}"
    installs = [args for args in image.all("RUN") if "pip install" in args]
    assert len(installs) == 1, f"{dockerfile}: one pip invocation installs the local packages together"
    assert "pip install --no-cache-dir" in installs[0]
    assert not re.search(r"pip install[^&;]*\s(-e|--editable)\b", installs[0]), "no editable installs"
    installed = shlex.split(installs[0].split("pip install", 1)[1].split("&&")[0])
    assert {"./kernel", "./contracts", f"./{package}"} <= set(installed), f"{dockerfile}: pip installs {installed}"
    config = f"{package}/{'enforcement_gateway' if name == 'gateway' else f'{name}_service'}/config.yml"
    assert re.search(rf"\bcp\s+\"?{re.escape(config)}\"?\s+/etc/enforcement/config.yml", installs[0]), (
        f"{dockerfile}: must copy {config} to /etc/enforcement/config.yml"
    )

    healthcheck = image.all("HEALTHCHECK")[-1]
    assert "/health/live" in healthcheck
    assert "urllib" in healthcheck, f"{dockerfile}: healthcheck must not need curl"
    assert "os.environ" in healthcheck and "'OPS_PORT'" in healthcheck, "healthcheck must probe the image's OPS_PORT"

    assert image.command() == ["enforcement-run", name], f"{dockerfile}: CMD of {name} runs {image.command()}"


# --------------------------------------------------------------------------
# The web front end: console/Dockerfile
# --------------------------------------------------------------------------


def _dependencies(package: str) -> list[str]:
    project = tomllib.loads((ROOT / package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0].lower() for dep in project.get("dependencies", [])]


def test_web_services_are_built_by_their_dockerfiles():
    assert set(WEB_BUILDS) == set(WEB_SERVICES), "every web front end in WEB_SERVICES is built by docker-compose.yml"
    for name, (dockerfile, _, _) in WEB_SERVICES.items():
        assert WEB_BUILDS[name] == {"context": ".", "dockerfile": dockerfile}


def test_console_assets_are_built_by_the_developers_script():
    """Stage 1 runs scripts/build-console-assets on the pinned package files, as scripts/setup does; the image takes
    the files it wrote, before pip installs them as package data."""
    stages = stages_of("console")
    assert len(stages) == 2, "two stages: the npm assets, then the Python image"
    assets, image = stages
    assert assets.all("FROM") == ["node:20-slim AS assets"]
    copied = {src for args in assets.all("COPY") for src in _copy_sources(args)}
    assert {"scripts/build-console-assets", "console/package.json", "console/package-lock.json"} <= copied
    assert assets.all("RUN") == ["scripts/build-console-assets"], "the stage runs the script and nothing else"

    script = (ROOT / "scripts" / "build-console-assets").read_text(encoding="utf-8")
    assert "npm ci" in script and "enforcement_console/static/vendor" in script

    kinds = [kind for kind, _ in image.instructions]
    from_assets = [
        (i, args) for i, (kind, args) in enumerate(image.instructions) if kind == "COPY" and "--from=assets" in args
    ]
    assert len(from_assets) == 1, "the Python stage copies the built static/vendor/ from the assets stage"
    index, args = from_assets[0]
    source, target = args.split()[-2:]
    assert source.rstrip("/").endswith("console/enforcement_console/static/vendor")
    assert target.rstrip("/") == "console/enforcement_console/static/vendor"
    pip = next(i for i, (kind, args) in enumerate(image.instructions) if kind == "RUN" and "pip install" in args)
    assert index < pip, "the assets must be in the source tree when pip installs it (package data)"
    assert "node" not in " ".join(image.all("FROM")) and kinds.count("FROM") == 1


def test_console_image():
    image = image_of("console")
    dockerfile = image.dockerfile
    _, port, _ = WEB_SERVICES["console"]

    assert image.all("FROM")[0].split()[0] == "python:3.11-slim"
    users = image.all("USER")
    assert users and users[-1].split(":")[0] == "10001", f"{dockerfile}: expected USER 10001"
    kinds = [kind for kind, _ in image.instructions]
    assert max(i for i, k in enumerate(kinds) if k == "USER") > max(i for i, k in enumerate(kinds) if k == "RUN")

    assert image.env.get("PYTHONUNBUFFERED") == "1"
    assert image.env.get("CONFIG") == "/etc/enforcement/config.yml"
    assert "OPS_PORT" not in image.env, "the console has no ops port"
    assert image.env.get("CONSOLE_ADDRESS", "").rpartition(":")[2] == str(port)
    exposed = {p.split("/")[0] for args in image.all("EXPOSE") for p in args.split()}
    assert exposed == {str(port)}, f"{dockerfile}: EXPOSE {port} only"

    copies = [src for args in image.all("COPY") for src in _copy_sources(args)]
    assert set(copies) == {"contracts/", "console/"}, f"{dockerfile}: copies {copies} (no kernel, no services)"
    installs = [args for args in image.all("RUN") if "pip install" in args]
    assert len(installs) == 1 and "pip install --no-cache-dir" in installs[0]
    assert not re.search(r"pip install[^&;]*\s(-e|--editable)\b", installs[0]), "no editable installs"
    installed = shlex.split(installs[0].split("pip install", 1)[1].split("&&")[0])
    assert [arg for arg in installed if not arg.startswith("-")] == ["./contracts", "./console"]
    assert "nameko" not in " ".join(image.all("RUN")) and "kernel" not in " ".join(image.all("RUN"))
    # nor through their requirements: the console is a client of the gateway and nothing else
    for package in ("console", "contracts"):
        dependencies = _dependencies(package)
        assert not {"nameko", "enforcement-kernel", "sqlalchemy", "kombu", "eventlet"} & set(dependencies), (
            f"{package}/pyproject.toml requires {dependencies}"
        )
    assert re.search(r"\bcp\s+console/enforcement_console/config.yml\s+/etc/enforcement/config.yml", installs[0])

    healthcheck = image.all("HEALTHCHECK")[-1]
    assert "/healthz" in healthcheck and "urllib" in healthcheck, f"{dockerfile}: probe /healthz without curl"
    assert "CONSOLE_ADDRESS" in healthcheck, "the healthcheck probes the port the console listens on"

    project = tomllib.loads((ROOT / "console" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert image.command() == ["enforcement-console"] and "enforcement-console" in project["scripts"]


def test_console_healthz_answers_without_the_gateway():
    """The route the healthcheck probes: 200 "ok" with the gateway unreachable (a gateway outage must not restart
    the console), for either part alone."""
    from enforcement_console.app import create_app
    from enforcement_console.settings import Settings

    for parts in ({"staff", "public"}, {"public"}, {"staff"}):
        settings = Settings.load(
            gateway_url="http://127.0.0.1:9", parts=frozenset(parts), secret_key="x" * 32, gateway_timeout=0.5
        )
        response = create_app(settings).test_client().get("/healthz")
        assert response.status_code == 200, parts
        assert response.get_data(as_text=True) == "ok"
        assert response.headers["Cache-Control"] == "no-store"
