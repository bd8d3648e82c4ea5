"""The one rule of who reads which agency's records across a list or a table (``access.query_agency``)."""

from __future__ import annotations

import pytest

from enforcement_contracts.errors import Forbidden
from enforcement_kernel import access

BUREAU = {"username": "admin", "role": "bureau"}
SYSTEM = {"username": "supervision", "role": "system"}
ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": "140928-scjgj"}
OFFICER = {"username": "o1", "role": "officer", "agency_code": "140928-scjgj", "officer_id": "o1"}


@pytest.mark.parametrize("actor", [BUREAU, SYSTEM])
def test_the_bureau_reads_the_agency_it_names_or_all(actor):
    assert access.query_agency(actor, None) is None
    assert access.query_agency(actor, "140928-nyncj") == "140928-nyncj"


@pytest.mark.parametrize("actor", [ADMIN, OFFICER])
def test_an_agency_reads_its_own_whatever_it_names_and_never_another(actor):
    assert access.query_agency(actor, None) == "140928-scjgj"
    assert access.query_agency(actor, "140928-scjgj") == "140928-scjgj"
    with pytest.raises(Forbidden):
        access.query_agency(actor, "140928-nyncj")


def test_a_public_caller_reads_no_agency_records():
    with pytest.raises(Forbidden):
        access.query_agency({"username": "anon", "role": "public"}, None)
