"""JSON-lines logging with a correlation id that follows one request through gateway, RPC and events.

The id lives in a greenthread-local (every nameko worker is a greenthread), set when a worker
starts from the incoming HTTP header, RPC context or event envelope.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone

from eventlet.corolocal import local

_context = local()
CORRELATION_HEADER = "X-Correlation-ID"


# what a client may send as its X-Correlation-ID: anything else (too long, other characters, log or header injection)
# is replaced by a fresh id
_SAFE_CORRELATION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def safe_correlation_id(value: str | None) -> str | None:
    """``value`` when it is a safe correlation id, else None (a fresh one is made)."""
    return value if isinstance(value, str) and _SAFE_CORRELATION_ID.fullmatch(value) else None


def correlation_id() -> str | None:
    return getattr(_context, "correlation_id", None)


def set_correlation_id(value: str | None) -> str:
    value = value or uuid.uuid4().hex
    _context.correlation_id = value
    return value


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation_id(),
        }
        for key in ("event_type", "event_id", "entrypoint", "outcome", "duration_ms", "agency"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(service: str, level: str = "INFO") -> None:
    """Route every logger to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # nameko logs a caller's expected errors (validation, not found) as warnings with a
    # traceback; they are counted in metrics already, so only unexpected errors are logged.
    logging.getLogger("nameko").setLevel(logging.WARNING)
    logging.getLogger("nameko.containers").setLevel(logging.ERROR)
    # py-amqp warns on every returned (unroutable) publish; the relay counts those in a metric instead
    logging.getLogger("amqp").setLevel(logging.ERROR)
