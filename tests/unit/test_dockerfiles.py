"""Every path a Dockerfile copies exists (no Docker engine runs here, so nothing else would notice)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted(p for p in [*ROOT.glob("services/*/Dockerfile"), ROOT / "gateway" / "Dockerfile"] if p.exists())


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_copied_paths_exist_in_the_build_context(dockerfile):
    text = dockerfile.read_text()
    sources = [src for line in re.findall(r"^COPY\s+(.+)$", text, re.M) for src in line.split()[:-1]]
    # files copied inside the image from the build folder (/build mirrors the repository root)
    sources += re.findall(r"\bcp\s+(\S+)\s+/etc/", text)
    assert sources, "no COPY found"
    for src in sources:
        assert (ROOT / src).exists(), f"{dockerfile.name} copies {src}, which does not exist"
    service_dir = dockerfile.parent.relative_to(ROOT)
    assert f"{service_dir}/" in text or str(service_dir) in text, "the image installs its own package"


def test_every_service_package_has_a_dockerfile():
    packages = [p.parent for p in ROOT.glob("services/*/pyproject.toml")]
    assert packages, "no service package found"
    for package in packages:
        assert (package / "Dockerfile").exists(), f"{package.name} has no Dockerfile"
