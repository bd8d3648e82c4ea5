"""End to end over HTTP: a spreadsheet of cases is imported all or nothing; every bad row is reported."""

from __future__ import annotations

import pytest
from cases_support import DOMAIN, SCJ, agency_admin, certified_officer
from enforcement_testing import (
    db_count,
    valid_id_number,
)


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_spreadsheet_import_reports_every_bad_row_and_imports_nothing_until_all_pass(cases_suite):
    import io

    from openpyxl import Workbook

    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    a, b = (certified_officer(suite, scj, seq) for seq in (701, 702))
    scj.post(
        "/catalogue/items",
        json={
            "agency_code": SCJ,
            "code": "SCJ-CF-020",
            "type_code": "penalty",
            "name": "未按规定索证索票",
            "domain": DOMAIN,
            "legal_basis": "《中华人民共和国食品安全法》第一百二十六条",
            "effective_from": "2021-01-01",
        },
    ).raise_for_status()
    clear_id = valid_id_number(720)
    header = (
        "案件编号",
        "事项编码",
        "立案日期",
        "当事人类型",
        "当事人",
        "证件号码",
        "执法人员编号",
        "违法行为日期",
        "告知日期",
        "决定日期",
        "处罚种类",
        "罚款金额",
    )
    good = [
        (
            "五市监罚〔2024〕301号",
            "SCJ-CF-020",
            "2024-04-01",
            "公民",
            "王五",
            clear_id,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-03-28",
            "2024-04-20",
            "2024-05-06",
            "罚款",
            2000,
        ),
        (
            "五市监罚〔2024〕302号",
            "SCJ-CF-020",
            "2024-04-02",
            "法人",
            "五寨县某超市",
            None,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-03-30",
            None,
            None,
            None,
            None,
        ),
    ]
    bad = [
        (
            "五市监罚〔2024〕303号",
            "SCJ-CF-999",
            "2024-04-03",
            "公民",
            "赵六",
            None,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-04-01",
            None,
            None,
            None,
            None,
        ),
        (
            "五市监罚〔2024〕304号",
            "SCJ-CF-020",
            "2024-04-04",
            "公民",
            "钱七",
            None,
            a["officer_id"],
            "2024-04-01",
            "2024-03-01",
            None,
            None,
            None,
        ),
    ]

    def sheet(rows) -> bytes:
        book = Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(list(row))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    refused = scj.post("/cases/import", data=sheet(good + bad), headers=xlsx)
    assert refused.status_code == 400, refused.text
    assert "2 of 4 rows were refused; nothing was imported" == refused.json()["message"]
    problems = {(p["row"], p["column"]) for p in refused.json()["rows"]}
    assert problems == {(4, "item_code"), (5, "officer_ids"), (5, "notice_on")}
    assert db_count(suite.cases_db, "cases") == 0
    assert clear_id not in refused.text

    dry = scj.post("/cases/import", params={"dry_run": "true"}, data=sheet(good), headers=xlsx)
    assert dry.status_code == 200 and dry.json()["imported"] == 2 and dry.json()["dry_run"] is True
    assert db_count(suite.cases_db, "cases") == 0
    done = scj.post("/cases/import", data=sheet(good), headers=xlsx)
    assert done.status_code == 200, done.text
    assert done.json()["imported"] == 2 and db_count(suite.cases_db, "cases") == 2
    first = scj.get(f"/cases/{done.json()['case_ids'][0]}").json()
    assert first["status"] == "decided" and first["fine_amount"] == 2000
    assert first["party"]["id_number_masked"] == clear_id[:6] + "********" + clear_id[-4:]
    again = scj.post("/cases/import", data=sheet(good), headers=xlsx)
    assert again.status_code == 400 and {p["column"] for p in again.json()["rows"]} == {"case_number"}
    wrong_type = scj.post("/cases/import", data=b"{}", headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415
