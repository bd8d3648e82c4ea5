"""The console's settings: the packaged config.yml (or ``CONFIG=/path``) with ``${VAR:default}`` read from the
environment, the same syntax as the services' files. Read here rather than through the kernel so the console needs
neither nameko nor a database."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([^}]*))?\}")


def _substitute(text: str) -> str:
    return _VARIABLE.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), text)


@dataclass(frozen=True)
class Settings:
    gateway_url: str
    gateway_timeout: float
    address: str
    parts: frozenset[str]
    secret_key: str
    secure_cookies: bool
    public_url: str
    per_page: int
    threads: int
    public_cache_seconds: int
    session_minutes: int
    county: str
    today: date | None = None  # pinned day (CLOCK_TODAY), else Beijing's today
    proxy_hops: int = 0  # proxies in front of the console whose X-Forwarded-For/-Proto it believes

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, **overrides) -> Settings:
        path = path or os.environ.get("CONFIG") or Path(__file__).with_name("config.yml")
        raw = yaml.safe_load(_substitute(Path(path).read_text(encoding="utf-8"))) or {}
        parts = frozenset(p.strip() for p in str(raw.get("CONSOLE_PARTS") or "staff,public").split(",") if p.strip())
        unknown = parts - {"staff", "public"}
        if unknown or not parts:
            raise ValueError(f"CONSOLE_PARTS must list staff and/or public, not {sorted(unknown) or 'nothing'}")
        values = {
            "gateway_url": str(raw["GATEWAY_URL"]).rstrip("/"),
            "gateway_timeout": float(raw.get("GATEWAY_TIMEOUT_SECONDS") or 30),
            "address": str(raw.get("CONSOLE_ADDRESS") or "0.0.0.0:8080"),
            "parts": parts,
            "secret_key": str(raw.get("SECRET_KEY") or ""),
            "secure_cookies": str(raw.get("SECURE_COOKIES")).lower() in ("true", "1", "yes"),
            "public_url": str(raw.get("PUBLIC_URL") or "").rstrip("/"),
            "per_page": int(raw.get("PER_PAGE") or 20),
            "threads": int(raw.get("THREADS") or 16),
            "public_cache_seconds": int(raw.get("PUBLIC_CACHE_SECONDS") or 60),
            "session_minutes": int(raw.get("SESSION_MINUTES") or 480),
            "county": str(raw.get("COUNTY_NAME") or "五寨县"),
            "proxy_hops": int(raw.get("PROXY_HOPS") or 0),
            "today": date.fromisoformat(str(raw["TODAY"])) if raw.get("TODAY") else None,
        }
        values.update(overrides)
        settings = cls(**values)
        if "staff" in settings.parts and len(settings.secret_key) < 16:
            raise ValueError("set CONSOLE_SECRET_KEY to a random string of at least 16 characters")
        return settings
