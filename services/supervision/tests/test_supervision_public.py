"""What the public reads of supervision (in process, SQLite): a complaint's progress by its random receipt number
(never the complainant, the contact or the text), the agencies a complaint may be about, and the yearly reports
once filed."""

from __future__ import annotations

import re

import pytest
from enforcement_testing import BUREAU, RUN_DATE

from enforcement_contracts import supervision as contract
from enforcement_contracts import supervision_reports as reports_contract
from enforcement_contracts.errors import NotFound, ValidationFailed
from supervision_service import rules

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
COMPLAINT = {
    "agency_code": MARKET,
    "complainant_kind": "citizen",
    "complainant_name": "张三丰",
    "contact": "13812345678",
    "summary": "执法人员检查时未出示执法证",
}


def test_receipt_codes_are_random_and_read_back_however_they_are_typed():
    codes = {rules.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", code) for code in codes)
    assert rules.normalise_receipt_code("7kq4 m9xp 2htw") == "7KQ4-M9XP-2HTW"
    assert rules.normalise_receipt_code("OIL0-0000-0000") == "0110-0000-0000"  # misread letters
    assert rules.normalise_receipt_code("7KQ4-M9XP-2HT") is None
    assert rules.normalise_receipt_code("7KQ4-M9XP-2HTU") is None  # U is not in the alphabet


def test_a_complaint_is_tracked_by_its_receipt_number_without_personal_data(supervision):
    receipt = supervision.call("register_complaint", COMPLAINT)
    assert set(receipt) == set(contract.ComplaintReceipt().fields)
    code = receipt["receipt_code"]
    assert rules.normalise_receipt_code(code) == code
    other = supervision.call("register_complaint", COMPLAINT)["receipt_code"]
    assert other != code

    progress = supervision.call("track_complaint", code.lower().replace("-", " "))
    assert set(progress) == set(contract.ComplaintProgress().fields)
    assert (progress["receipt_code"], progress["state"], progress["agency_code"]) == (code, "registered", MARKET)
    assert progress["accept_due_on"] == receipt["accept_due_on"]
    shown = repr(progress)
    assert "张" not in shown and "1381" not in shown and "执法证" not in shown  # no name, contact or text

    supervision.call(
        "decide_complaint", MARKET_ADMIN, receipt["complaint_id"], {"accept": True, "reasons": "属于受理范围"}
    )
    supervision.call(
        "conclude_complaint", MARKET_ADMIN, receipt["complaint_id"], {"outcome": "upheld", "conclusion": "责令改正"}
    )
    done = supervision.call("track_complaint", code)
    assert (done["state"], done["outcome"], done["conclusion"]) == ("concluded", "upheld", "责令改正")
    assert done["decided_on"] == done["concluded_on"] == RUN_DATE.isoformat()

    for wrong in ("0000-0000-0000", "not-a-code-at-all"):
        with pytest.raises(NotFound):
            supervision.call("track_complaint", wrong)
    with pytest.raises(ValidationFailed) as bad:
        supervision.call("track_complaint", "x")
    assert "receipt_code" in bad.value.fields


def test_the_public_list_of_agencies_leaves_out_the_bureau(supervision):
    listed = supervision.call("complaint_agencies", {"per_page": 500})
    codes = [a["code"] for a in listed["items"]]
    assert MARKET in codes and codes == sorted(codes) and listed["total"] == len(codes)
    assert all(set(a) == {"code", "name"} for a in listed["items"])
    second = supervision.call("complaint_agencies", {"page": 2, "per_page": 1})
    assert second["items"] == listed["items"][1:2]


@pytest.fixture
def reports(personnel, run_service):
    run_service("training")
    run_service("cases")
    return run_service("supervision", settings={"RPC_TIMEOUT": 5})


def test_a_yearly_report_is_public_once_filed(reports):
    year = RUN_DATE.year - 1
    empty = {"items": [], "total": 0, "total_exact": True, "page": 1, "per_page": 50, "next": None}
    assert reports.call("public_annual_reports", {"year": year}) == empty
    with pytest.raises(NotFound):
        reports.call("public_annual_report", year, MARKET)

    reports.call("file_annual_report", MARKET_ADMIN, {"year": year})
    reports.call("file_annual_report", BUREAU, {"year": year})
    listed = reports.call("public_annual_reports", {"year": year})
    assert [(f["scope"], f["year"]) for f in listed["items"]] == [("county", year), (MARKET, year)]
    assert listed["items"][0]["agency_name"] is None and listed["items"][1]["agency_name"]
    assert all(set(f) == set(reports_contract.PublicFiling().fields) for f in listed["items"])

    report = reports.call("public_annual_report", year, MARKET)
    assert (report["year"], report["scope"]) == (year, MARKET)
    assert set(report) == set(reports_contract.AnnualReport().fields)
    assert reports.call("public_annual_reports", {"year": year - 1})["total"] == 0
