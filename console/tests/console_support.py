"""What the console's view tests share: the settings of an app whose gateway calls the tests answer themselves."""

from __future__ import annotations

import re

from enforcement_console.settings import Settings


def unit_settings() -> Settings:
    return Settings(
        gateway_url="http://gateway.invalid",
        gateway_timeout=1,
        address="127.0.0.1:0",
        parts=frozenset({"staff", "public"}),
        secret_key="unit-tests-secret-key-0123456789",
        secure_cookies=False,
        public_url="https://gongshi.example.cn",
        per_page=20,
        threads=1,
        public_cache_seconds=60,
        session_minutes=60,
        county="五寨县",
    )


def client_as(app, role: str, agency_code: str | None = None):
    """A test client signed in as ``role`` (of ``agency_code``), with the form token ``csrf-token``."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["token"] = "t"
        session["user"] = {"username": f"{role}-user", "role": role, "agency_code": agency_code}
        session["csrf"] = "csrf-token"
    return client


def text_of(response) -> str:
    """A page's text as a person reads it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
