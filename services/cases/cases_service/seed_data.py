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
