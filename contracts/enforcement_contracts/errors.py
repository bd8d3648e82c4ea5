"""Typed errors that cross the RPC wire and map to HTTP statuses at the gateway.

Each error keeps its constructor arguments in ``args`` so nameko can serialise them and the
caller rebuilds the same type (the kernel registers these classes with nameko's registry).
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a caller is expected to handle; ``status`` is the HTTP mapping."""

    status = 500
    code = "error"

    def __init__(self, message: str = "", fields: dict | None = None):
        super().__init__(message, fields or {})
        self.message = message
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(ServiceError):
    """Input broke a rule; ``fields`` maps each field name to its messages."""

    status = 400
    code = "validation_failed"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request contradicts the current state (a second certificate, a stale transition)."""

    status = 409
    code = "conflict"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Unavailable(ServiceError):
    """A service did not answer in time or is not running."""

    status = 503
    code = "unavailable"


class RequestAbandoned(ServiceError):
    """The request was delivered ``RPC_MAX_DELIVERIES`` times and never completed (each delivery killed or hung its
    worker): the service gave up on it and parked it for an operator. Sending it again fails the same way."""

    status = 422
    code = "request_abandoned"


WIRE_ERRORS = (ValidationFailed, NotFound, Conflict, Forbidden, Unauthorized, Unavailable, RequestAbandoned)
