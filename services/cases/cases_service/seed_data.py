"""The seven types of enforcement item the plan lists (§二(三)2). Codes are stable ASCII; a county may add more
rows (the table is data). ``publish_decisions``: 许可 and 处罚 decisions are published (国办发〔2018〕118号);
``penalty_procedure``: the Administrative Penalty Law's procedure and checks apply."""

from __future__ import annotations

ITEM_TYPES: list[dict] = [
    {"code": "penalty", "name": "行政处罚", "publish_decisions": True, "penalty_procedure": True},
    {"code": "licensing", "name": "行政许可", "publish_decisions": True, "penalty_procedure": False},
    {"code": "levy", "name": "行政征收征用", "publish_decisions": False, "penalty_procedure": False},
    {"code": "confirmation", "name": "行政确认", "publish_decisions": False, "penalty_procedure": False},
    {"code": "benefit", "name": "行政给付", "publish_decisions": False, "penalty_procedure": False},
    {"code": "coercion", "name": "行政强制", "publish_decisions": False, "penalty_procedure": False},
    {"code": "inspection", "name": "行政检查", "publish_decisions": False, "penalty_procedure": False},
]


# The first case-file review checklist (评查标准). Basic items are the DOMAIN's list: one failed fails the file
# (不合格, 0 points). Form items add up to 20 points, content items to 80; each deducts at most its points.
CHECKLIST_V1: dict = {
    "effective_from": "2023-01-01",
    "items": [
        {"code": "subject", "label": "执法主体合法", "section": "basic", "points": 0},
        {"code": "officer_certificates", "label": "执法人员持有有效执法证件", "section": "basic", "points": 0},
        {"code": "two_officers", "label": "执法人员不少于两人", "section": "basic", "points": 0},
        {"code": "evidence", "label": "主要证据充分", "section": "basic", "points": 0},
        {"code": "facts", "label": "事实认定清楚", "section": "basic", "points": 0},
        {"code": "legal_basis", "label": "适用法律依据正确", "section": "basic", "points": 0},
        {"code": "procedure", "label": "程序合法", "section": "basic", "points": 0},
        {"code": "criminal_transfer", "label": "涉嫌犯罪案件依法移送", "section": "basic", "points": 0},
        {"code": "documents", "label": "文书制作规范、齐全", "section": "form", "points": 10},
        {"code": "filing_order", "label": "案卷装订、排序、编号规范", "section": "form", "points": 5},
        {"code": "signatures", "label": "签名、盖章、日期完整", "section": "form", "points": 5},
        {"code": "investigation", "label": "调查取证全面、客观", "section": "content", "points": 20},
        {"code": "discretion", "label": "裁量适当，符合裁量基准", "section": "content", "points": 20},
        {"code": "rights", "label": "告知、陈述申辩、听证权利保障", "section": "content", "points": 15},
        {"code": "deadlines", "label": "办案期限、送达期限符合规定", "section": "content", "points": 15},
        {"code": "execution", "label": "执行到位、结案规范", "section": "content", "points": 10},
    ],
}

# The documents each item of the checklist looks at (codes of the document-kind catalogue, records/kinds.py).
_EVIDENCE = ["evidence_photo", "evidence_scan", "evidence_audio", "evidence_video"]
_ITEM_DOCUMENTS: dict[str, list[str]] = {
    "two_officers": ["inquiry_record", "inspection_record"],
    "evidence": [*_EVIDENCE, "inquiry_record", "inspection_record"],
    "facts": ["investigation_report", "inquiry_record", "inspection_record"],
    "legal_basis": ["decision"],
    "procedure": [
        "filing_approval",
        "notice_of_rights",
        "hearing_notice",
        "hearing_record",
        "legal_review_opinion",
        "collective_discussion",
        "service_receipt",
    ],
    "documents": [
        "filing_approval",
        "inquiry_record",
        "inspection_record",
        "investigation_report",
        "notice_of_rights",
        "hearing_notice",
        "hearing_record",
        "legal_review_opinion",
        "collective_discussion",
        "decision",
        "service_receipt",
        "payment_receipt",
        "closing_report",
    ],
    "filing_order": ["closing_report"],
    "signatures": ["inquiry_record", "decision", "service_receipt"],
    "investigation": [*_EVIDENCE, "inquiry_record", "inspection_record", "recording"],
    "discretion": ["decision", "collective_discussion", "legal_review_opinion"],
    "rights": ["notice_of_rights", "hearing_notice", "hearing_record"],
    "deadlines": ["filing_approval", "decision", "service_receipt"],
    "execution": ["payment_receipt", "closing_report"],
}

# Version 2 (case-file review with the files, issue 15): version 1's items and points, each naming the documents it
# looks at; "documents" (文书制作规范、齐全) is the missing-documents item: the review file proposes 5 of its 10 points
# for each document the case's completeness checks find missing. In force for batches planned from 2026-01-01.
CHECKLIST_V2: dict = {
    "effective_from": "2026-01-01",
    "items": [
        {
            **item,
            "documents": _ITEM_DOCUMENTS.get(item["code"], []),
            **({"per_missing_document": 5} if item["code"] == "documents" else {}),
        }
        for item in CHECKLIST_V1["items"]
    ],
}
