"""The one error body every ``/api/v1`` answer uses, and its OpenAPI schema (docs/api-conventions.md).

``{"error": code, "message": text, "fields": {"<dotted.path>": ["message", ...]}, "rows": [...]}``: ``fields``
names each bad input by its path in the request (nested messages flattened: ``penalty.fine_amount``,
``items.0.points``; ``_schema`` for a rule over several fields, ``_body`` for the body as a whole); ``rows`` lists a
spreadsheet import's problems by row and column. Both are present only when there is something to say.
"""

from __future__ import annotations

from collections.abc import Mapping

from enforcement_contracts.errors import ServiceError


class PasswordChangeRequired(ServiceError):
    """403 ``password_change_required``: the account's password was chosen by someone else (the seeded admin, an
    account created or reset by the bureau); every staff route but ``GET /auth/me``, ``POST /auth/password`` and
    ``POST /auth/logout`` is refused until the account changes it."""

    status = 403
    code = "password_change_required"

    def __init__(self, message: str = "", fields: dict | None = None):
        super().__init__(
            message or "change your password first: POST /api/v1/auth/password with current_password and new_password",
            fields,
        )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "string",
            "description": "a stable code, e.g. validation_failed, not_found, rate_limited, password_change_required",
        },
        "message": {"type": "string", "description": "for people; may change"},
        "fields": {
            "type": "object",
            "description": "each bad input by its dotted path in the request (`penalty.fine_amount`, `items.0.points`;"
            " `_schema` for a rule over several fields, `_body` for the body as a whole), with its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "rows": {
            "type": "array",
            "description": "a spreadsheet import's problems, by row (as numbered in the sheet) and column",
            "items": {"$ref": "#/components/schemas/RowProblem"},
        },
    },
}
ROW_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["row", "reason"],
    "properties": {
        "row": {"type": "integer"},
        "column": {"type": "string", "nullable": True, "description": "the column's header, when one is at fault"},
        "reason": {"type": "string"},
    },
}


def error_body(code: str, message: str, fields: Mapping | None = None) -> dict:
    """The error body: nested field messages flattened to dotted paths, an import's row problems under ``rows``."""
    body: dict = {"error": code, "message": message}
    fields = dict(fields or {})
    rows = fields.pop("rows", None)
    if _is_row_report(rows):
        body["rows"] = [{**problem, "row": int(problem["row"])} for problem in rows]
    elif rows is not None:
        fields["rows"] = rows  # an ordinary input field that happens to be called "rows"
    flat = flatten_messages(fields)
    if flat:
        body["fields"] = flat
    return body


def _is_row_report(rows) -> bool:
    return isinstance(rows, list) and bool(rows) and all(isinstance(p, Mapping) and "row" in p for p in rows)


def flatten_messages(messages, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages (``{"penalty": {"fine_amount": ["..."]}}``, ``{"items": {0: {...}}}``) as
    ``{"penalty.fine_amount": ["..."], "items.0.x": [...]}``; a bare message belongs to ``path`` (``_body`` at the
    top)."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            for name, texts in flatten_messages(value, f"{path}.{key}" if path else str(key)).items():
                flat.setdefault(name, []).extend(texts)
    elif isinstance(messages, list | tuple):
        for item in messages:
            for name, texts in flatten_messages(item, path).items():
                flat.setdefault(name, []).extend(texts)
    elif messages is not None:
        flat.setdefault(path or "_body", []).append(str(messages))
    return flat
