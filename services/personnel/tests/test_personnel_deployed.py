"""The personnel service as deployed (``enforcement-run personnel``, a real process) on SQLite and on PostgreSQL:
what only the running process shows, its log file and its /metrics, must never carry an ID card number."""

from __future__ import annotations

import json

import pytest
from enforcement_testing import BUREAU, db_rows, valid_id_number

from enforcement_contracts.errors import Conflict

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局


@pytest.fixture
def deployed(database_url, amqp_uri, start_service):
    return start_service("personnel", database_url, amqp_uri)


# --- personal data -------------------------------------------------------------------------------
def test_id_number_is_masked_encrypted_and_never_published_or_logged(deployed, rpc, collect_events, officer_payload):
    events = collect_events("personnel", "officer.registered")
    clear = valid_id_number(1)

    officer = rpc.personnel.register_officer(BUREAU, officer_payload(1))

    assert officer["id_number_masked"] == clear[:6] + "*" * 8 + clear[-4:]
    assert "id_number" not in officer and clear not in json.dumps(officer)
    assert officer["agency_code"] == MARKET and officer["status"] == "active"

    # at rest: in no column of the officer's row, yet stored (encrypted) and findable by exact number
    rows = db_rows(deployed.database_url, "SELECT * FROM officers")
    assert len(rows) == 1
    for column, value in rows[0].items():
        assert clear not in str(value), f"clear ID number found in officers.{column}"
    from enforcement_kernel.config import load_config
    from personnel_service.plugin import PLUGIN
    from personnel_service.settings import cipher_from_config

    cipher = cipher_from_config(load_config("personnel", default_path=PLUGIN.config_path))
    assert cipher.decrypt(rows[0]["id_number_encrypted"]) == clear
    assert rpc.personnel.find_officer_by_id_number(BUREAU, clear)["officer_id"] == officer["officer_id"]

    # a second registration of the same person is refused without echoing the number
    with pytest.raises(Conflict) as refused:
        rpc.personnel.register_officer(BUREAU, officer_payload(1, name="重复"))
    assert clear not in str(refused.value) and clear not in json.dumps(refused.value.fields)

    # in no event: neither on the wire nor in the outbox that is the producer's event history
    [envelope] = events.wait_for(1)
    assert envelope["type"] == "personnel.officer.registered" and envelope["source"] == "personnel"
    assert envelope["data"]["officer_id"] == officer["officer_id"]
    assert clear not in json.dumps(envelope) and "id_number" not in envelope["data"]
    assert events.messages[0].properties.get("message_id") == envelope["id"]
    for row in db_rows(deployed.database_url, "SELECT event_type, body FROM outbox_events"):
        assert clear not in str(row["body"]), f"clear ID number in outbox row {row['event_type']}"

    # not in the operators' view either
    assert clear not in deployed.log_text()
    assert clear not in deployed.metrics_text()
