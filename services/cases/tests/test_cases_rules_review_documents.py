"""Case-file review with the files (issue 15.5), the pure rules: checklist version 2 names the documents each item
looks at (kinds of the catalogue), its missing-documents item proposes a deduction from the completeness checks'
missing kinds, and each item shows which of its documents the case holds."""

from __future__ import annotations

from cases_service.records.kinds import DOCUMENT_KINDS_V1
from cases_service.rules import file_review
from cases_service.seed_data import CHECKLIST_V1, CHECKLIST_V2
from enforcement_contracts.cases import reviews

KIND_CODES = [k["code"] for k in DOCUMENT_KINDS_V1["kinds"]]
NAMES = {k["code"]: k["name"] for k in DOCUMENT_KINDS_V1["kinds"]}


def items(checklist: dict) -> list[file_review.CheckItem]:
    return [
        file_review.CheckItem(
            i["code"],
            i["label"],
            i["section"],
            i["points"],
            tuple(i.get("documents", ())),
            i.get("per_missing_document"),
        )
        for i in checklist["items"]
    ]


def test_version_2_keeps_version_1s_points_and_names_only_catalogue_kinds():
    v2 = items(CHECKLIST_V2)
    assert file_review.checklist_errors(v2) == []
    assert file_review.checklist_document_errors(v2, KIND_CODES) == []
    assert [(i.code, i.section, i.points) for i in v2] == [(i.code, i.section, i.points) for i in items(CHECKLIST_V1)]
    assert CHECKLIST_V2["effective_from"] > CHECKLIST_V1["effective_from"]
    flagged = [i for i in v2 if i.per_missing_document is not None]
    assert [(i.code, i.per_missing_document, i.points) for i in flagged] == [("documents", 5, 10)]
    assert "service_receipt" in next(i for i in v2 if i.code == "documents").documents
    # the contract takes the seeded items as the bureau would file them
    assert reviews.ChecklistCreate().validate(CHECKLIST_V2) == {}


def test_unknown_kinds_two_missing_documents_items_and_an_oversized_proposal_are_explained():
    broken = items(CHECKLIST_V2)
    broken[0] = file_review.CheckItem("subject", "执法主体合法", "basic", 0, ("birth_certificate",), 1)
    broken[-1] = file_review.CheckItem("execution", "执行到位、结案规范", "content", 10, (), 11)
    problems = file_review.checklist_document_errors(broken, KIND_CODES)
    assert problems == [
        "subject: birth_certificate is not a kind of the document-kind catalogue",
        "one item at most carries per_missing_document: subject, documents, execution",
        "subject: a basic item passes or fails, it cannot carry per_missing_document",
        "execution: per_missing_document is more than the item's 10 points",
    ]


def test_the_missing_documents_item_is_proposed_per_missing_kind_up_to_its_points():
    v2 = items(CHECKLIST_V2)
    one = [("service_receipt", "送达回证")]
    assert file_review.proposed_deductions(v2, one) == [
        {"code": "documents", "points": 5, "note": "缺少送达回证（service_receipt）"}
    ]
    three = [*one, ("decision", "行政处理决定书"), ("filing_approval", "立案审批表")]
    [proposal] = file_review.proposed_deductions(v2, three)
    assert proposal["points"] == 10 and proposal["note"].count("（") == 3  # capped at the item's 10 points
    # the proposal is a valid score: the item deducts at most its points
    score = file_review.score_file(v2, [], [(proposal["code"], proposal["points"])])
    assert (score.form, score.total) == (10, 90)
    assert file_review.proposed_deductions(v2, []) == []
    assert file_review.proposed_deductions(items(CHECKLIST_V1), one) == []  # version 1 has no such item


def test_each_item_shows_which_of_its_documents_the_case_holds():
    v2 = items(CHECKLIST_V2)
    shown = {i["code"]: i for i in file_review.item_documents(v2, {"decision": ["d1", "d2"]}, NAMES)}
    assert shown["legal_basis"]["documents"] == [
        {"code": "decision", "name": "行政处理决定书", "document_ids": ["d1", "d2"]}
    ]
    receipt = next(d for d in shown["deadlines"]["documents"] if d["code"] == "service_receipt")
    assert receipt == {"code": "service_receipt", "name": "送达回证", "document_ids": []}
    assert shown["subject"]["documents"] == [] and shown["documents"]["points"] == 10


def test_a_needed_recording_the_case_lacks_is_missing_with_the_documents():
    checks = {
        "missing_documents": [{"code": "service_receipt", "name": "送达回证"}],
        "recording_required": True,
        "recordings": 0,
    }
    assert file_review.review_missing(checks, "执法记录仪音视频") == [
        ("service_receipt", "送达回证"),
        ("recording", "执法记录仪音视频"),
    ]
    assert file_review.review_missing({**checks, "recordings": 1}, "执法记录仪音视频") == [
        ("service_receipt", "送达回证")
    ]
    assert file_review.review_missing({**checks, "recording_required": False, "missing_documents": []}, "x") == []
