"""Issue 13, access and privacy, in the personnel service (in process, SQLite and PostgreSQL): the public certificate
check names the holder only with the card's check code (numbers are sequential: walking them must give no names), the
code is never in an event, and a refusal about an officer never tells whether another agency has that officer."""

from __future__ import annotations

import json

import pytest
from enforcement_testing import BUREAU

from enforcement_contracts.errors import ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
ALPHABET = set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_the_public_check_names_the_holder_only_with_the_card_s_check_code(personnel, staff, collect_events):
    issued = collect_events("personnel", "certificate.issued")
    officer, cert = staff.certified_officer(731)
    code = cert["check_code"]
    assert len(code) == 8 and set(code) <= ALPHABET  # no 0/O or 1/I/L to misread on a card
    assert personnel.call("get_certificate", MARKET_ADMIN, cert["number"])["check_code"] == code

    bare = {"number": cert["number"], "valid": True, "details": False}
    assert personnel.call("check_certificate", cert["number"]) == bare
    assert personnel.call("check_certificate", cert["number"], "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA") == bare
    assert personnel.call("check_certificate", cert["number"], "") == bare

    full = personnel.call("check_certificate", cert["number"], code)
    assert full["details"] is True and full["holder_name"] == officer["name"] and full["agency_name"] == "县市场监管局"
    # as typed from the card: lower case, grouped with a space or a dash
    typed = f"{code[:4].lower()} {code[4:]}"
    assert personnel.call("check_certificate", cert["number"], typed) == full
    assert personnel.call("check_certificate", cert["number"], f"{code[:4]}-{code[4:]}") == full

    # the code is printed on the card, not published: no event carries it
    [event] = [e for e in issued.wait_for(1) if e["subject"] == cert["number"]]
    assert code not in json.dumps(event) and "check_code" not in event["data"]


def test_each_certificate_gets_its_own_code(staff):
    codes = {staff.certified_officer(seq)[1]["check_code"] for seq in (741, 742, 743)}
    assert len(codes) == 3


def test_a_legal_reviewer_s_officer_of_another_agency_reads_as_an_unknown_one(personnel, officer_payload):
    """Registering another agency's officer as one's reviewer gets the same refusal as an unknown officer id: the
    answer neither names that officer nor tells that they exist elsewhere."""
    theirs = personnel.call("register_officer", BUREAU, officer_payload(751, TRANSPORT))
    payload = {"agency_code": MARKET, "name": "律师甲", "kind": "public_lawyer", "has_legal_qualification": False}
    before = personnel.call("list_legal_reviewers", MARKET_ADMIN, MARKET)["total"]
    answers = []
    for officer_id in (theirs["officer_id"], "no-such-officer"):
        with pytest.raises(ValidationFailed) as refused:
            personnel.call("register_legal_reviewer", MARKET_ADMIN, {**payload, "officer_id": officer_id})
        answers.append((refused.value.message, refused.value.fields))
    assert answers[0] == answers[1] == ("officer not found in the agency", {"officer_id": ["not found in the agency"]})
    assert theirs["name"] not in str(answers) and TRANSPORT not in str(answers)
    assert personnel.call("list_legal_reviewers", MARKET_ADMIN, MARKET)["total"] == before
