"""The gateway serves the events' AsyncAPI document and catalogue over HTTP, without a login."""

from __future__ import annotations

import requests
import yaml
from enforcement_testing import free_port

from enforcement_contracts import asyncapi


def test_gateway_serves_the_asyncapi_document_and_catalogue_publicly(start_service, amqp_uri, tmp_path):
    # only the gateway: the documents come from the installed contracts, not from the services
    web = free_port()
    start_service(
        "gateway", f"sqlite:///{tmp_path}/gateway.db", amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}"}
    )
    root = f"http://127.0.0.1:{web}"
    http = requests.Session()
    http.trust_env = False  # no proxy for loopback; and no Authorization header: these are public
    expected = asyncapi.build_asyncapi()

    as_yaml = http.get(f"{root}/events/asyncapi.yaml", timeout=30)
    assert as_yaml.status_code == 200
    assert as_yaml.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert yaml.safe_load(as_yaml.text) == expected
    assert expected["channels"]["personnel.officer.registered"]["address"] == "officer.registered"

    as_json = http.get(f"{root}/events/asyncapi.json", timeout=10)
    assert as_json.status_code == 200 and as_json.headers["Content-Type"].startswith("application/json")
    assert as_json.json() == expected

    catalogue = http.get(f"{root}/events/catalogue.md", timeout=10)
    assert catalogue.status_code == 200
    assert catalogue.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert catalogue.text == asyncapi.render_catalogue(expected)
    assert "### personnel.certificate.issued" in catalogue.text

    missing = http.get(f"{root}/events/secrets.txt", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"

    # linked from the API docs page and the OpenAPI description
    assert 'href="/events/asyncapi.yaml"' in http.get(f"{root}/docs", timeout=10).text
    assert "/events/catalogue.md" in http.get(f"{root}/openapi.json", timeout=10).json()["info"]["description"]
