"""The 案件 pages' pure parts: how a deadline reads (working days or 自然日), which procedural checks a case's page
lists and how each stands, the timeline's order, and the forms that become API bodies (benchmark tiers, scores, the
directory) or put the API's refusals beside the right field."""

from __future__ import annotations

from datetime import date

from enforcement_console.gateway import ApiError
from enforcement_console.pages import FormErrors
from enforcement_console.views import cases as views
from werkzeug.datastructures import MultiDict

PENALTY = {"code": "penalty", "penalty_procedure": True, "publish_decisions": True}
LICENSING = {"code": "licensing", "penalty_procedure": False, "publish_decisions": True}


def deadline(**kw) -> dict:
    return {"kind": "published", "starts_on": "2026-09-25", "limit": 7, "unit": "workdays", "due_on": "2026-10-12"} | kw


def test_a_deadline_reads_in_working_days_or_natural_days():
    # open, in working days: the October holidays do not count, Saturday 10 October (made up) does
    state = views.deadline_state(deadline(met_on=None, on_time=None), date(2026, 9, 30))
    assert state == {"length": "7 个工作日", "state": "还剩 4 个工作日", "late": False, "open": True}
    overdue = views.deadline_state(deadline(met_on=None, on_time=None), date(2026, 10, 14))
    assert overdue["state"] == "已超期 2 个工作日" and overdue["late"] and overdue["open"]
    # met: late or on time, as the service measured it
    late = views.deadline_state(deadline(met_on="2026-10-16", on_time=False), date(2026, 11, 1))
    assert late == {"length": "7 个工作日", "state": "超期完成", "late": True, "open": False}
    assert views.deadline_state(deadline(met_on="2026-10-09", on_time=True), date(2026, 11, 1))["state"] == "按期完成"
    # the decision's 90 days are calendar days (自然日)
    decision = deadline(kind="decided", limit=90, unit="days", due_on="2026-10-01", met_on=None, on_time=None)
    assert views.deadline_state(decision, date(2026, 9, 21)) == {
        "length": "90 日（自然日）",
        "state": "还剩 10 个自然日",
        "late": False,
        "open": True,
    }
    assert views.deadline_state(decision, date(2026, 10, 1))["state"] == "今天到期"
    assert views.deadline_state(decision, date(2026, 10, 4))["state"] == "已超期 3 个自然日"


def case(**kw) -> dict:
    base = {
        "procedure": "ordinary",
        "is_major": False,
        "filed_on": "2026-07-03",
        "notice_on": "2026-08-03",
        "decided_on": None,
        "served_on": None,
        "published_on": None,
        "publication_withdrawn_on": None,
        "hearing_requested_on": None,
        "warnings": [],
        "deadlines": [],
    }
    return base | kw


def test_a_case_lists_every_check_that_applies_with_its_article():
    filed = {c["code"]: c for c in views.procedure_checks(case(), PENALTY)}
    assert filed["officers"]["status"] == "passed" and filed["officers"]["source"] == "《行政处罚法》第四十二条"
    assert (
        filed["decision_late"]["status"] == "pending" and filed["decision_late"]["source"] == "《行政处罚法》第六十条"
    )
    assert "legal_review" not in filed  # not a major decision
    assert not any(code.startswith("hearing_") for code in filed)  # no hearing asked for
    assert "withdrawal_late" not in filed  # nothing changed: nothing to withdraw

    late = case(
        decided_on="2026-09-25",
        published_on="2026-10-16",
        is_major=True,
        hearing_requested_on="2026-08-05",
        deadlines=[{"kind": "withdrawn"}],
        warnings=[
            {
                "code": "publication_late",
                "field": "published_on",
                "message": "published 11 working days after the decision; due within 7 (国办发〔2018〕118号)",
            }
        ],
    )
    checks = {c["code"]: c for c in views.procedure_checks(late, PENALTY)}
    assert checks["publication_late"]["status"] == "failed"
    assert checks["publication_late"]["details"] == ["作出决定后第 11 个工作日才公示；应在 7 个工作日内公示"]
    assert "第四十八条" in checks["publication_late"]["source"]
    assert checks["decision_late"]["status"] == "passed" and checks["legal_review"]["status"] == "passed"
    assert checks["hearing_not_held"]["status"] == "passed" and checks["withdrawal_late"]["status"] == "pending"
    order = [c["code"] for c in views.procedure_checks(late, PENALTY)]
    assert order.index("officers") < order.index("decision_late") < order.index("publication_late")

    # a licence: no penalty procedure, but its publication is checked
    licence = [c["code"] for c in views.procedure_checks(case(decided_on="2026-09-25"), LICENSING)]
    assert licence == ["officers", "publication_late"]


def test_the_checks_name_each_missing_document_and_a_missing_recording():
    records = {"completeness_enforced": True, "recording_required": True, "recordings": 0}
    missing = [{"code": "service_receipt", "name": "送达回证"}, {"code": "decision", "name": "行政处理决定书"}]
    warning = {
        "code": "recording_missing",
        "field": "recordings",
        "message": "no whole-process recording (执法全过程记录) is registered for an on-the-spot penalty "
        "(简易程序, art. 51)",
    }
    spot = case(decided_on="2026-09-25", warnings=[warning], records={**records, "missing_documents": missing})
    checks = {c["code"]: c for c in views.procedure_checks(spot, PENALTY)}
    assert checks["documents_missing"]["status"] == "failed"
    assert checks["documents_missing"]["details"] == ["缺少送达回证", "缺少行政处理决定书"]
    assert checks["recording_missing"]["status"] == "failed"
    assert checks["recording_missing"]["details"] == ["简易程序当场处罚未登记执法全过程记录"]

    complete = case(closed_on="2026-10-09", records={**records, "missing_documents": [], "recording_required": False})
    checks = {c["code"]: c for c in views.procedure_checks(complete, PENALTY)}
    assert checks["documents_missing"]["status"] == "passed" and "recording_missing" not in checks
    # a case filed before the records rules: neither check is listed
    historical = case(records={**records, "completeness_enforced": False, "recording_required": False})
    assert {"documents_missing", "recording_missing"}.isdisjoint(
        c["code"] for c in views.procedure_checks(historical, PENALTY)
    )


def test_the_timeline_lists_the_stages_recorded_in_the_law_s_order():
    stages = views.timeline(
        case(
            violation_on="2026-06-28",
            decided_on="2026-09-25",
            published_on="2026-10-16",
            legal_reviews=[
                {"passed": False, "reviewed_on": "2026-09-20"},
                {"passed": True, "reviewed_on": "2026-09-24"},
            ],
        )
    )
    assert [name for name, _ in stages] == [
        "违法行为发生",
        "立案",
        "告知（陈述、申辩、听证权利）",
        "法制审核退回",
        "法制审核通过",
        "作出决定",
        "公示",
    ]


def test_the_benchmark_form_becomes_tiers_and_their_refusals_go_beside_the_tier():
    form = MultiDict(
        [
            ("minor.kinds", "warning"),
            ("general.kinds", "warning"),
            ("general.kinds", "fine"),
            ("general.fine_min", "1000"),
            ("general.fine_max", " 500 "),
            ("serious.fine_min", "9"),  # no kind chosen: the row is left out
            ("effective_from", "2026-01-01"),
        ]
    )
    body = views.benchmark_body(form)
    assert body == {
        "effective_from": "2026-01-01",
        "tiers": [
            {"tier": "minor", "label": "轻微", "penalty_kinds": ["warning"]},
            {
                "tier": "general",
                "label": "一般",
                "penalty_kinds": ["warning", "fine"],
                "fine_min": "1000",
                "fine_max": "500",
            },
        ],
    }
    error = ApiError(400, "validation_failed", "x", {"tiers": {"1": {"fine_max": ["must not be below fine_min"]}}})
    errors = FormErrors(error)
    views.benchmark_field_errors(errors, body)
    assert errors.get("general.fine_max") == ["罚款上限不能低于下限"] and "tiers.1.fine_max" not in errors.fields


def test_the_score_form_becomes_failures_and_deductions_and_a_refusal_goes_beside_its_item():
    checklist = [
        {"code": "subject", "section": "basic", "points": 0},
        {"code": "evidence", "section": "basic", "points": 0},
        {"code": "documents", "section": "form", "points": 10},
        {"code": "investigation", "section": "content", "points": 20},
        {"code": "discretion", "section": "content", "points": 20},
    ]
    form = MultiDict(
        [
            ("scored_on", "2026-11-29"),
            ("fail.evidence", "true"),
            ("deduct.documents", "3"),
            ("deduct.investigation", "0"),
            ("deduct.discretion", "5"),
            ("note.discretion", "罚款偏高"),
        ]
    )
    assert views.score_body(form, checklist) == {
        "scored_on": "2026-11-29",
        "basic_failures": ["evidence"],
        "deductions": [
            {"code": "documents", "points": "3"},
            {"code": "discretion", "points": "5", "note": "罚款偏高"},
        ],
    }
    error = ApiError(
        400,
        "validation_failed",
        "documents deducts at most 10 points",
        {"deductions": ["documents deducts at most 10 points"]},
    )
    errors = FormErrors(error)
    views.item_errors(errors, error)
    assert errors.get("deduct.documents") == ["该项最多扣 10 分"] and not errors.get("deductions")


def test_the_directory_is_pasted_one_enterprise_a_line():
    text = (
        "91140928MA0000001，五寨县商户甲，食品销售\n\n"
        "91140928MA0000002,五寨县商户乙\n"
        "91140928MA0000003\t五寨县商户丙\t餐饮\n"
    )
    assert views.directory_entries(text) == [
        {"credit_code": "91140928MA0000001", "name": "五寨县商户甲", "category": "食品销售"},
        {"credit_code": "91140928MA0000002", "name": "五寨县商户乙"},
        {"credit_code": "91140928MA0000003", "name": "五寨县商户丙", "category": "餐饮"},
    ]
