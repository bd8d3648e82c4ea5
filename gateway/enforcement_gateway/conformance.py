"""Does an answer match the OpenAPI document? Used by the tests: every JSON answer the end-to-end client receives is
checked against the operation's declared responses (status and body), so the document cannot drift from the API."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import jsonschema
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes a ``null`` type."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


class ApiDocument:
    """The OpenAPI document of a gateway, able to say what is wrong with one of its answers."""

    def __init__(self, document: dict):
        self.document = document
        self.components = json_schema({"components": document.get("components", {})})
        rules = []
        for template in document["paths"]:
            rules.append(Rule(re.sub(r"{(\w+)}", r"<\1>", template), endpoint=template))
        self._map = Map(rules, strict_slashes=False)

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        try:
            template, _ = self._map.bind("gateway").match(path, method="GET")
        except HTTPException:
            return None
        operation = self.document["paths"][template].get(method.lower())
        return (template, operation) if operation is not None else None

    def problems(self, method: str, path: str, status: int, body, content_type: str = "application/json") -> list:
        """What is wrong with an answer (empty when it is as documented). ``body`` is the parsed JSON."""
        found = self.operation(method, path)
        if found is None:
            return [] if status in (404, 405) else [f"{method} {path} is not in the document"]
        template, operation = found
        declared = operation["responses"].get(str(status))
        if declared is None:
            return [f"{method} {template} answered {status}, which the document does not list"]
        content = declared.get("content", {})
        if "json" not in content_type:
            return [] if not content or content_type.split(";")[0] in content else [f"{status} as {content_type}"]
        media = content.get("application/json")
        if media is None:
            return [] if not content else [f"{method} {template} {status}: JSON where {list(content)} is declared"]
        schema = {"allOf": [json_schema(media["schema"])], **self.components}
        errors = jsonschema.Draft7Validator(schema).iter_errors(body)
        return [f"{method} {template} {status}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


_SERVED: dict[str, ApiDocument] = {}


def served_document(root: str) -> ApiDocument:
    """The document a running gateway serves at ``<root>/openapi.json`` (fetched once per gateway)."""
    import requests  # a test-side helper: the gateway itself never fetches its own document

    if root not in _SERVED:
        response = requests.get(f"{root}/openapi.json", timeout=10)
        response.raise_for_status()
        _SERVED[root] = ApiDocument(response.json())
    return _SERVED[root]


def answer_problems(response) -> list[str]:
    """What is wrong with a ``requests`` response of a running gateway, checked against the document it serves."""
    url = urlsplit(response.request.url)
    content_type = response.headers.get("Content-Type", "")
    body = response.json() if "json" in content_type else None
    document = served_document(f"{url.scheme}://{url.netloc}")
    return document.problems(response.request.method, url.path, response.status_code, body, content_type)
