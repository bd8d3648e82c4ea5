"""deploy/proxy/nginx.conf, the HTTPS reverse proxy example (compose profile "proxy"): what the gateway and the
console rely on when they trust it. Static checks of the file; docker-compose config validates the profile
(test_deploy_files.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NGINX = REPO / "deploy" / "proxy" / "nginx.conf"


@pytest.fixture(scope="module")
def conf() -> str:
    # comments out: a statement only counts when nginx reads it
    return "\n".join(line.split("#", 1)[0] for line in NGINX.read_text(encoding="utf-8").splitlines())


def directives(conf: str, name: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^\s*{name}\s+([^;]*);", conf, re.MULTILINE)]


def test_tls_is_terminated_with_current_protocols_only(conf):
    assert any("ssl" in listen.split() for listen in directives(conf, "listen"))
    assert directives(conf, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    assert directives(conf, "ssl_certificate") == ["/etc/nginx/tls/tls.crt"]
    assert directives(conf, "ssl_certificate_key") == ["/etc/nginx/tls/tls.key"]


def test_plain_http_only_redirects(conf):
    assert "return 301 https://$host$request_uri;" in conf


def test_hsts_on_every_answer(conf):
    [hsts] = re.findall(r'^\s*add_header\s+Strict-Transport-Security\s+"max-age=(\d+)[^"]*"\s+always;', conf, re.M)
    assert int(hsts) >= 31536000


def test_the_visitors_address_replaces_whatever_the_client_sent(conf):
    """The gateway trusts X-Forwarded-For from this proxy: appending ($proxy_add_x_forwarded_for) would pass on an
    address the client made up."""
    assert directives(conf, "proxy_set_header").count("X-Forwarded-For $remote_addr") == 1
    assert "proxy_add_x_forwarded_for" not in conf
    assert "X-Forwarded-Proto https" in directives(conf, "proxy_set_header")


def test_routes_go_to_the_gateway_and_the_console(conf):
    locations = dict(re.findall(r"location\s+([^{]+?)\s*\{\s*proxy_pass\s+http://(\w+);", conf))
    assert locations == {
        "/api/": "gateway",
        "= /openapi.json": "gateway",
        "/docs": "gateway",
        "/events/": "gateway",
        "/": "console",
    }


def test_uploads_the_gateway_takes_pass_the_proxy(conf):
    [size] = directives(conf, "client_max_body_size")
    assert size.endswith("m") and int(size[:-1]) > 20  # GATEWAY.max_upload_bytes: 20 MiB
