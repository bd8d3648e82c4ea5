"""The personnel service in process, on SQLite and PostgreSQL (issue 12): police officers enforce with their police
card in the police bureau's domains; ``may_enforce`` for a past date reads the certificate's status history on that
date; and the answers leak nothing (another agency's ID number reads as an unknown one, an officer reading a colleague
is told so)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_connection, db_counts, valid_id_number
from sqlalchemy import text

from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(120)

POLICE = "140928-gaj"  # 县公安局 (seeded with the domain public_security)
MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
GAJ_ADMIN = {"username": "gaj-admin", "role": "agency_admin", "agency_code": POLICE}
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}


APPOINTED = date(2020, 3, 2)


def police_payload(seq: int, card: str | None, **extra) -> dict:
    payload = {
        "agency_code": POLICE,
        "name": f"民警{seq}",
        "id_number": valid_id_number(seq),
        "position": "民警",
        "appointed_on": APPOINTED.isoformat(),
    }
    if card is not None:
        payload["police_card_number"] = card
    return {**payload, **extra}


def may(personnel, officer_id: str, domain: str, on: date) -> dict:
    return personnel.call("may_enforce", {"officer_id": officer_id, "domain": domain, "on_date": on.isoformat()})


# --- police officers ------------------------------------------------------------------------------------------------
def test_a_police_officer_enforces_with_the_police_card_in_the_bureau_s_domains(personnel):
    today = RUN_DATE
    officer = personnel.call("register_officer", GAJ_ADMIN, police_payload(901, " j140928 "))
    assert officer["is_police"] is True and officer["police_card_number"] == "J140928"
    assert personnel.call("get_officer", GAJ_ADMIN, officer["officer_id"])["police_card_number"] == "J140928"
    assert personnel.call("get_agency", BUREAU, POLICE)["domains"] == ["public_security"]

    answer = may(personnel, officer["officer_id"], "public_security", today)
    assert answer["allowed"] is True and answer["certificate_number"] is None
    assert answer["police_card_number"] == "J140928" and "police card J140928" in answer["reason"]
    # outside the bureau's domains: refused, for the domain, never for a missing certificate
    outside = may(personnel, officer["officer_id"], "market_supervision", today)
    assert outside["allowed"] is False and "certificate" not in outside["reason"]
    assert outside["reason"] == "the enforcement domain 'market_supervision' is not one of the police bureau's domains"

    # in post from the appointment day: not before it
    assert may(personnel, officer["officer_id"], "public_security", APPOINTED)["allowed"] is True
    early = may(personnel, officer["officer_id"], "public_security", APPOINTED - timedelta(days=1))
    assert (
        early["allowed"] is False
        and early["reason"] == "the police officer took up the post on 2020-03-02, after that date"
    )

    # a new card number; then the officer leaves the post: refused from that day, still allowed the day before
    changed = personnel.call("update_officer", GAJ_ADMIN, officer["officer_id"], {"police_card_number": "140929"})
    assert changed["police_card_number"] == "140929"
    left_on = today - timedelta(days=3)
    personnel.call(
        "record_departure", GAJ_ADMIN, officer["officer_id"], {"reason": "transfer", "departed_on": str(left_on)}
    )
    assert may(personnel, officer["officer_id"], "public_security", left_on - timedelta(days=1))["allowed"] is True
    gone = may(personnel, officer["officer_id"], "public_security", left_on)
    assert gone["allowed"] is False and gone["reason"] == f"the police officer left the post on {left_on.isoformat()}"


def test_a_police_card_is_required_of_police_officers_only_well_formed_and_unique(personnel, officer_payload):
    before = db_counts(personnel.database_url, "officers", "outbox_events")

    def refused(error, actor, payload, field="police_card_number"):
        with pytest.raises(error) as caught:
            personnel.call("register_officer", actor, payload)
        assert list(caught.value.fields) == [field], caught.value.fields
        return caught.value.fields[field][0]

    assert (
        refused(ValidationFailed, GAJ_ADMIN, police_payload(902, None)) == "a police officer needs a police card number"
    )
    assert refused(ValidationFailed, GAJ_ADMIN, police_payload(902, "12-345")).startswith("a police card number is 6")
    assert refused(ValidationFailed, BUREAU, police_payload(902, "x" * 21)) == "Longer than maximum length 20."
    # an officer flagged police in another agency needs one too; anyone else may not carry one
    flagged = officer_payload(903, TRANSPORT, is_police=True)
    assert refused(ValidationFailed, BUREAU, flagged) == "a police officer needs a police card number"
    not_police = officer_payload(903, MARKET, police_card_number="123456")
    assert refused(ValidationFailed, BUREAU, not_police) == "only a police officer carries a police card"
    assert db_counts(personnel.database_url, "officers", "outbox_events") == before

    first = personnel.call("register_officer", GAJ_ADMIN, police_payload(904, "123456"))
    assert refused(Conflict, GAJ_ADMIN, police_payload(905, "123456")) == "already registered"
    second = personnel.call("register_officer", GAJ_ADMIN, police_payload(905, "654321"))
    with pytest.raises(Conflict):  # nor by a change of card
        personnel.call("update_officer", GAJ_ADMIN, second["officer_id"], {"police_card_number": "123456"})
    with pytest.raises(ValidationFailed) as bad:
        personnel.call("update_officer", GAJ_ADMIN, second["officer_id"], {"police_card_number": "abc"})
    assert list(bad.value.fields) == ["police_card_number"]
    market = personnel.call("register_officer", BUREAU, officer_payload(906, MARKET))
    with pytest.raises(ValidationFailed) as not_theirs:
        personnel.call("update_officer", BUREAU, market["officer_id"], {"police_card_number": "777777"})
    assert not_theirs.value.fields == {"police_card_number": ["only a police officer carries a police card"]}
    # re-saving one's own number is no conflict
    same = personnel.call("update_officer", GAJ_ADMIN, first["officer_id"], {"police_card_number": "123456"})
    assert same["police_card_number"] == "123456"


def test_a_police_bureau_registered_with_its_domains(personnel):
    created = personnel.call(
        "create_agency",
        BUREAU,
        {
            "code": "140928-gaj2",
            "name": "县公安局交警大队",
            "kind": "department",
            "is_police": True,
            "domains": ["traffic_safety"],
        },
    )
    assert created["domains"] == ["traffic_safety"]
    officer = personnel.call("register_officer", BUREAU, police_payload(907, "700001", agency_code="140928-gaj2"))
    assert may(personnel, officer["officer_id"], "traffic_safety", RUN_DATE)["allowed"] is True
    assert may(personnel, officer["officer_id"], "public_security", RUN_DATE)["allowed"] is False


# --- a past date reads the certificate's history ----------------------------------------------------------------
def _dated(personnel, number: str, dates: list[date]) -> None:
    """Give the certificate's history entries (in the order recorded) these dates, as if made on those days."""
    with db_connection(personnel.database_url) as conn:
        ids = (
            conn.execute(text("SELECT id FROM certificate_history WHERE number = :n ORDER BY id"), {"n": number})
            .scalars()
            .all()
        )
        assert len(ids) == len(dates)
        for row_id, on in zip(ids, dates, strict=True):
            conn.execute(
                text("UPDATE certificate_history SET changed_on = :on WHERE id = :id"), {"on": on, "id": row_id}
            )
        conn.execute(text("UPDATE certificates SET issued_on = :on WHERE number = :n"), {"on": dates[0], "n": number})
        conn.commit()


def test_a_past_date_reads_the_status_the_history_had_that_day(personnel, staff):
    today = RUN_DATE
    officer, cert = staff.certified_officer(910)
    oid, number = officer["officer_id"], cert["number"]
    issued, suspended_on, lifted_on = today - timedelta(days=60), today - timedelta(days=20), today - timedelta(days=10)
    _dated(personnel, number, [issued])

    # suspended today: the days before it stay allowed (the suspension does not reach back)
    personnel.call("change_certificate_status", BUREAU, number, {"status": "suspended", "reason": "暂扣：调查中"})
    assert may(personnel, oid, "market_supervision", today - timedelta(days=1))["allowed"] is True
    now = may(personnel, oid, "market_supervision", today)
    assert now["allowed"] is False and "suspended" in now["reason"]

    # lifted later: its days still refuse, the day it was lifted is allowed again
    personnel.call("change_certificate_status", BUREAU, number, {"status": "valid", "reason": "恢复：调查结束"})
    _dated(personnel, number, [issued, suspended_on, lifted_on])
    assert may(personnel, oid, "market_supervision", issued - timedelta(days=1))["allowed"] is False
    assert may(personnel, oid, "market_supervision", issued)["allowed"] is True
    assert may(personnel, oid, "market_supervision", suspended_on - timedelta(days=1))["allowed"] is True
    assert may(personnel, oid, "market_supervision", suspended_on)["allowed"] is False
    assert may(personnel, oid, "market_supervision", lifted_on - timedelta(days=1))["allowed"] is False
    assert may(personnel, oid, "market_supervision", lifted_on)["allowed"] is True
    assert may(personnel, oid, "market_supervision", today)["allowed"] is True

    # revoked today: from today on, not before
    personnel.call("change_certificate_status", BUREAU, number, {"status": "revoked", "reason": "吊销：严重违法"})
    assert may(personnel, oid, "market_supervision", today - timedelta(days=1))["allowed"] is True
    revoked = may(personnel, oid, "market_supervision", today)
    assert revoked["allowed"] is False and "revoked" in revoked["reason"]


# --- messages leak nothing ------------------------------------------------------------------------------------------
def test_another_agency_s_id_number_reads_as_an_unknown_one(personnel, officer_payload):
    theirs = officer_payload(920, TRANSPORT, domains=["transport"])
    registered = personnel.call("register_officer", BUREAU, theirs)

    def lookup(actor, id_number):
        with pytest.raises(NotFound) as caught:
            personnel.call("find_officer_by_id_number", actor, id_number)
        return type(caught.value), str(caught.value), caught.value.fields

    other_agency = lookup(MARKET_ADMIN, theirs["id_number"])
    unknown = lookup(MARKET_ADMIN, valid_id_number(921))
    assert other_agency == unknown == (NotFound, "no officer with this ID card number", unknown[2])
    # the bureau and the officer's own agency do find it
    transport_admin = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
    for actor in (BUREAU, transport_admin):
        found = personnel.call("find_officer_by_id_number", actor, theirs["id_number"])
        assert found["officer_id"] == registered["officer_id"]


def test_an_officer_reading_a_colleague_is_told_so(personnel, officer_payload):
    me = personnel.call("register_officer", BUREAU, officer_payload(930, MARKET))
    colleague = personnel.call("register_officer", BUREAU, officer_payload(931, MARKET))
    elsewhere = personnel.call("register_officer", BUREAU, officer_payload(932, TRANSPORT, domains=["transport"]))
    actor = {"username": "officer-930", "role": "officer", "agency_code": MARKET, "officer_id": me["officer_id"]}

    assert personnel.call("get_officer", actor, me["officer_id"])["officer_id"] == me["officer_id"]
    with pytest.raises(Forbidden) as same_agency:
        personnel.call("get_officer", actor, colleague["officer_id"])
    assert str(same_agency.value) == "an officer may read only their own records"
    with pytest.raises(Forbidden) as other_agency:
        personnel.call("get_officer", actor, elsewhere["officer_id"])
    assert str(other_agency.value) == "not allowed to read another agency's records"


def test_police_officers_count_in_the_bureau_s_certification_facts_with_their_police_card(personnel):
    """The assessment's certification rate reads police officers in post as authorised by their police card, from
    their appointment (not their registration) to their departure."""
    today = RUN_DATE
    first = personnel.call("register_officer", GAJ_ADMIN, police_payload(931, "J931001"))
    personnel.call("register_officer", GAJ_ADMIN, police_payload(932, "J931002"))
    late = personnel.call("register_officer", GAJ_ADMIN, police_payload(933, "J931003", appointed_on=str(today)))

    def police(year):
        return {f["agency_code"]: f for f in personnel.call("agency_certification_facts", BUREAU, year)}[POLICE]

    now = police(today.year)
    assert (now["officers"], now["certified"]) == (3, 3)
    last_year = police(today.year - 1)  # the third was appointed today: not in post last year
    assert (last_year["officers"], last_year["certified"]) == (2, 2)
    personnel.call(
        "record_departure", GAJ_ADMIN, first["officer_id"], {"reason": "transfer", "departed_on": str(today)}
    )
    personnel.call(
        "record_departure", GAJ_ADMIN, late["officer_id"], {"reason": "retirement", "departed_on": str(today)}
    )
    after = police(today.year)
    assert (after["officers"], after["certified"]) == (1, 1)


# --- legal reviewers (art. 58) ----------------------------------------------------------------------------------
def test_only_a_reviewer_s_first_review_needs_the_legal_qualification(personnel):
    """A reviewer without the qualification who reviewed major decisions before may review; a first-time one may
    not; the day of that first review cannot be in the future (and a refusal writes nothing)."""

    def reviewer(name, **extra):
        payload = {"agency_code": MARKET, "name": name, "kind": "public_lawyer", "has_legal_qualification": False}
        return personnel.call("register_legal_reviewer", MARKET_ADMIN, {**payload, **extra})

    assert reviewer("律师乙")["may_review_major_decisions"] is False
    seasoned = reviewer("律师丙", first_reviewed_on="2019-05-06")
    assert seasoned["first_reviewed_on"] == "2019-05-06" and seasoned["may_review_major_decisions"] is True
    before = personnel.call("list_legal_reviewers", MARKET_ADMIN, MARKET)["total"]
    with pytest.raises(ValidationFailed) as refused:
        reviewer("律师丁", first_reviewed_on=str(RUN_DATE + timedelta(days=1)))
    assert refused.value.fields == {"first_reviewed_on": ["must not be in the future"]}
    assert personnel.call("list_legal_reviewers", MARKET_ADMIN, MARKET)["total"] == before
