"""The caller (``actor``) every RPC loads: a valid one is remembered between calls without sharing what a call gets,
an invalid one is refused every time, naming ``actor``."""

from __future__ import annotations

import pytest

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import rpc

ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": "140928-scjgj", "officer_id": None}


def test_a_valid_caller_is_loaded_once_and_each_call_gets_its_own_copy():
    rpc._loaded_caller.cache_clear()
    first = rpc.load_caller(dict(ADMIN))
    first["role"] = "bureau"  # what one call does with its actor does not reach the next
    second = rpc.load_caller(dict(ADMIN))
    assert second == ADMIN and second is not first
    assert rpc._loaded_caller.cache_info().hits == 1
    assert rpc.load_caller({"username": "bureau", "role": "bureau"}) == {
        "username": "bureau",
        "role": "bureau",
        "agency_code": None,
        "officer_id": None,
    }


@pytest.mark.parametrize(
    "actor",
    [
        {"username": "x", "role": "king"},
        {"role": "bureau"},
        {"username": "x", "role": "bureau", "extra": "field"},
        {"username": 5, "role": "bureau"},
        {"username": "x", "role": "bureau", "agency_code": ["a"]},
    ],
)
def test_an_invalid_caller_is_refused_every_time(actor):
    for _ in range(2):
        with pytest.raises(ValidationFailed) as refused:
            rpc.load_caller(actor)
        assert "actor" in refused.value.fields


def test_a_caller_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        rpc.load_caller(["bureau"])
    assert refused.value.fields == {"actor": ["must be an object"]}
