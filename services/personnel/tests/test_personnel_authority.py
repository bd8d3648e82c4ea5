"""``may_enforce``'s pure rules at their boundaries: a certificate's status on a date read from its history (the day
a suspension starts, the day it is lifted, the expiry day, a cancellation's day), the departure day, and police
officers enforcing with their police card in the police bureau's domains."""

from datetime import date

import pytest

from personnel_service.authority import (
    StatusChange,
    certificate_may_enforce,
    in_post_on,
    police_may_enforce,
    status_on,
    validate_police_card_number,
)
from personnel_service.rules import CANCELLED, REVOKED, SUSPENDED, VALID

ISSUED, SUSPENDED_ON, LIFTED_ON = date(2024, 1, 2), date(2026, 3, 10), date(2026, 4, 1)
EXPIRY = date(2029, 1, 2)
MARKET = "market_supervision"
#: issued, suspended on 10 March 2026, reinstated on 1 April 2026
LIFTED = [StatusChange(ISSUED, VALID), StatusChange(SUSPENDED_ON, SUSPENDED), StatusChange(LIFTED_ON, VALID)]


def allowed(history, on_date, *, expiry=EXPIRY, departed_on=None, domain=MARKET) -> bool:
    return certificate_may_enforce(history, [MARKET], expiry, departed_on, domain, on_date)[0]


# --- the status on a date ---------------------------------------------------------------------------------------
def test_no_status_before_the_issue_day_and_valid_from_it():
    assert status_on(LIFTED, date(2024, 1, 1)) is None
    assert status_on(LIFTED, ISSUED) == VALID
    assert status_on([], date(2026, 1, 1)) is None


def test_a_suspension_holds_from_its_first_day_to_the_day_before_it_is_lifted():
    assert status_on(LIFTED, date(2026, 3, 9)) == VALID  # the day before: not reached back
    assert status_on(LIFTED, SUSPENDED_ON) == SUSPENDED  # the day it starts
    assert status_on(LIFTED, date(2026, 3, 31)) == SUSPENDED  # the last day before the lifting
    assert status_on(LIFTED, LIFTED_ON) == VALID  # the day it is lifted
    assert status_on(LIFTED, date(2027, 1, 1)) == VALID


def test_several_changes_on_one_day_the_last_recorded_holds_that_day():
    history = [StatusChange(ISSUED, VALID), StatusChange(SUSPENDED_ON, SUSPENDED), StatusChange(SUSPENDED_ON, VALID)]
    assert status_on(history, SUSPENDED_ON) == VALID
    # recorded out of date order (an issue dated back after a later-dated entry): the dates decide
    shuffled = [StatusChange(SUSPENDED_ON, SUSPENDED), StatusChange(ISSUED, VALID)]
    assert status_on(shuffled, date(2025, 1, 1)) == VALID and status_on(shuffled, SUSPENDED_ON) == SUSPENDED


@pytest.mark.parametrize("final", [CANCELLED, REVOKED])
def test_cancelled_or_revoked_from_their_date_on(final):
    history = [StatusChange(ISSUED, VALID), StatusChange(date(2026, 5, 6), final)]
    assert allowed(history, date(2026, 5, 5)) is True
    ok, reason = certificate_may_enforce(history, [MARKET], EXPIRY, None, MARKET, date(2026, 5, 6))
    assert ok is False and final in reason


def test_a_certificate_answers_as_its_history_had_it():
    assert allowed(LIFTED, date(2026, 3, 9)) is True
    ok, reason = certificate_may_enforce(LIFTED, [MARKET], EXPIRY, None, MARKET, SUSPENDED_ON)
    assert ok is False and "suspended" in reason
    assert allowed(LIFTED, date(2026, 3, 31)) is False  # a suspension later lifted still refuses its days
    assert allowed(LIFTED, LIFTED_ON) is True
    ok, reason = certificate_may_enforce(LIFTED, [MARKET], EXPIRY, None, MARKET, date(2023, 12, 31))
    assert ok is False and reason == "no certificate issued on or before that date"


def test_the_expiry_day_is_the_last_valid_day():
    assert allowed(LIFTED, EXPIRY) is True
    ok, reason = certificate_may_enforce(LIFTED, [MARKET], EXPIRY, None, MARKET, date(2029, 1, 3))
    assert ok is False and "expired on 2029-01-02" in reason


def test_a_departed_holder_may_not_act_from_the_departure_day():
    departed = date(2026, 6, 1)
    assert in_post_on(departed, date(2026, 5, 31)) is True and in_post_on(departed, departed) is False
    assert in_post_on(None, date(2099, 1, 1)) is True
    assert allowed(LIFTED, date(2026, 5, 31), departed_on=departed) is True
    ok, reason = certificate_may_enforce(LIFTED, [MARKET], EXPIRY, departed, MARKET, departed)
    assert ok is False and reason == "the officer left the post on 2026-06-01"


def test_the_domain_must_be_on_the_certificate():
    ok, reason = certificate_may_enforce(LIFTED, [MARKET], EXPIRY, None, "transport", date(2026, 1, 5))
    assert ok is False and "transport" in reason


# --- police cards ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "given,normalised",
    [("123456", "123456"), (" 0123456789 ", "0123456789"), ("j123456", "J123456"), ("GA12345678", "GA12345678")],
)
def test_a_police_card_number_is_digits_maybe_after_letters(given, normalised):
    assert validate_police_card_number(given) == normalised


@pytest.mark.parametrize("given", ["12345", "12345678901", "ABC123456", "12-3456", "１２３４５６", "123456A", "", None])
def test_a_badly_formed_police_card_number_is_refused(given):
    with pytest.raises(ValueError, match="police card number is 6 to 10 digits"):
        validate_police_card_number(given)


POLICE_DOMAINS = ["public_security", "traffic_safety"]


def test_a_police_officer_in_post_enforces_in_the_bureau_s_domains_with_the_card():
    ok, reason = police_may_enforce("123456", None, None, POLICE_DOMAINS, "traffic_safety", date(2026, 3, 2))
    assert ok is True
    assert "police card 123456" in reason and "人民警察证" in reason and "certificate" not in reason


def test_a_police_officer_is_refused_outside_the_bureau_s_domains():
    ok, reason = police_may_enforce("123456", None, None, POLICE_DOMAINS, MARKET, date(2026, 3, 2))
    assert ok is False
    assert reason == "the enforcement domain 'market_supervision' is not one of the police bureau's domains"
    assert police_may_enforce("123456", None, None, [], "public_security", date(2026, 3, 2))[0] is False


def test_a_police_officer_is_in_post_until_the_day_before_the_departure():
    departed = date(2026, 6, 1)
    assert police_may_enforce("123456", None, departed, POLICE_DOMAINS, "public_security", date(2026, 5, 31))[0] is True
    ok, reason = police_may_enforce("123456", None, departed, POLICE_DOMAINS, "public_security", departed)
    assert ok is False and reason == "the police officer left the post on 2026-06-01"


def test_a_police_officer_is_in_post_from_the_appointment_day():
    appointed = date(2020, 3, 2)
    assert police_may_enforce("123456", appointed, None, POLICE_DOMAINS, "public_security", appointed)[0] is True
    ok, reason = police_may_enforce("123456", appointed, None, POLICE_DOMAINS, "public_security", date(2020, 3, 1))
    assert ok is False and reason == "the police officer took up the post on 2020-03-02, after that date"


def test_a_police_officer_is_never_refused_for_a_certificate_but_needs_the_card_on_record():
    ok, reason = police_may_enforce(None, None, None, POLICE_DOMAINS, "public_security", date(2026, 3, 2))
    assert ok is False and reason == "the police officer has no police card number on record"
    assert "certificate" not in reason
