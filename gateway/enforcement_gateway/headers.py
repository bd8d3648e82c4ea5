"""The headers every gateway answer carries, CORS, and answers to OPTIONS.

- ``Content-Security-Policy``: the API's JSON needs nothing (``default-src 'none'; frame-ancestors 'none'``); the
  docs page loads Swagger UI's script and styles from ``/docs/assets`` and runs one inline script, allowed by its hash.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY`` (for browsers
  that do not read ``frame-ancestors``).
- ``Strict-Transport-Security`` only when ``GATEWAY.behind_tls`` says the gateway is reached over HTTPS (a header
  sent over plain HTTP would be ignored, and one sent by mistake pins browsers to HTTPS for a year).
- CORS is off unless ``GATEWAY.cors_origins`` lists origins: a listed origin's requests get
  ``Access-Control-Allow-Origin`` and its preflights an answer; any other origin's get nothing (the browser refuses).
- ``OPTIONS`` on any path the gateway serves answers 204 with ``Allow`` (or, from a listed origin, the preflight).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from werkzeug.wrappers import Response

from enforcement_kernel.config import setting

HERE = Path(__file__).parent

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ALLOWED_REQUEST_HEADERS = "Authorization, Content-Type, X-Correlation-ID"
EXPOSED_HEADERS = "X-Correlation-ID, Retry-After, Content-Disposition"
PREFLIGHT_MAX_AGE = 600


def _inline_script_hashes(html: str) -> list[str]:
    """CSP ``'sha256-...'`` sources of the page's inline scripts (those without ``src``)."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts]


def docs_csp() -> str:
    """The docs page's policy: Swagger UI from /docs/assets, its inline start-up script by hash, its inline styles
    (Swagger UI sets style attributes), its data: images, and /openapi.json fetched from the same origin."""
    hashes = " ".join(_inline_script_hashes((HERE / "docs.html").read_text(encoding="utf-8")))
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def _origins(value) -> frozenset[str]:
    """``GATEWAY.cors_origins``: a YAML list or ``"https://a.example,https://b.example"`` (from the environment)."""
    names = value.split(",") if isinstance(value, str) else list(value or [])
    return frozenset(str(name).strip().rstrip("/") for name in names if str(name).strip())


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class HeaderPolicy:
    cors_origins: frozenset[str]
    hsts_seconds: int  # 0: no HSTS header
    docs_csp: str

    @classmethod
    def from_config(cls, config: dict) -> HeaderPolicy:
        behind_tls = _truthy(setting(config, "GATEWAY.behind_tls", False))
        return cls(
            cors_origins=_origins(setting(config, "GATEWAY.cors_origins")),
            hsts_seconds=int(setting(config, "GATEWAY.hsts_seconds", 31536000)) if behind_tls else 0,
            docs_csp=docs_csp(),
        )

    def secure(self, request, response: Response, csp: str = API_CSP) -> Response:
        """The security headers, and CORS for a listed origin; what a handler set already is kept."""
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if self.hsts_seconds:
            headers.setdefault("Strict-Transport-Security", f"max-age={self.hsts_seconds}; includeSubDomains")
        origin = request.headers.get("Origin")
        if self.cors_origins:
            headers.add("Vary", "Origin")  # the answer depends on the origin: caches must not mix them
        if origin and origin.rstrip("/") in self.cors_origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers.setdefault("Access-Control-Expose-Headers", EXPOSED_HEADERS)
        return response

    def options(self, request, methods: set[str]) -> Response:
        """204 with ``Allow``; a preflight from a listed origin for one of ``methods`` also gets the CORS grant."""
        allowed = sorted({*methods, "OPTIONS"} | ({"HEAD"} if "GET" in methods else set()))
        response = Response(status=204)
        response.headers["Allow"] = ", ".join(allowed)
        response.headers["Cache-Control"] = "no-store"
        origin = (request.headers.get("Origin") or "").rstrip("/")
        asked = (request.headers.get("Access-Control-Request-Method") or "").upper()
        if origin in self.cors_origins and asked in allowed:
            response.headers["Access-Control-Allow-Methods"] = ", ".join(allowed)
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response
