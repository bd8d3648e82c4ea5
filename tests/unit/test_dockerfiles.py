"""The images docker-compose.yml builds, checked without a Docker engine (none runs here).

The services share deploy/service.Dockerfile, built with the args SERVICE and OPS_PORT; the
gateway has gateway/Dockerfile. Each Dockerfile is read the way Docker reads it for one
compose service: build args and ENV substituted where Docker substitutes them at build time
(COPY, ENV, EXPOSE, ...; RUN gets them as shell variables), and CMD and HEALTHCHECK expanded
against the image's ENV, as their shells see it at run time. The checks are then about that
service's image: what it copies and installs, its user, port, healthcheck and command.
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

ROOT = Path(__file__).resolve().parents[2]
SHARED_DOCKERFILE = "deploy/service.Dockerfile"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
# compose service -> its build section, for the long-running services (a migrate job builds the
# same image; test_deploy_files.py checks that it has the same build section)
BUILDS = {name: svc["build"] for name, svc in COMPOSE.items() if "build" in svc and not name.endswith("-migrate")}
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


def build(dockerfile: str, args: dict[str, str] | None = None) -> Image:
    """The image `docker build -f dockerfile --build-arg ...` would describe (one stage)."""
    image = Image(dockerfile)
    values: dict[str, str] = {}  # ARG and ENV values visible to the next instruction
    for keyword, text in _instructions(ROOT / dockerfile):
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
    return image


def image_of(name: str) -> Image:
    section = BUILDS[name]
    return build(section["dockerfile"], {k: str(v) for k, v in (section.get("args") or {}).items()})


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


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_build_args_are_the_ones_the_dockerfile_declares(name):
    image = image_of(name)
    given = set(BUILDS[name].get("args") or {})
    required = {arg for arg, default in image.declared_args.items() if default is None}
    assert required <= given, f"{name}: compose does not pass {sorted(required - given)}"
    assert given <= set(image.declared_args), (
        f"{name}: {image.dockerfile} declares no ARG {sorted(given - set(image.declared_args))}"
    )


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_copied_paths_exist_in_the_build_context(name):
    image = image_of(name)
    sources = [src for args in image.all("COPY") for src in args.split()[:-1]]
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
