"""The staff console's main navigation: what each role sees (the gateway still decides what each may do)."""

from __future__ import annotations

BUREAU, AGENCY_ADMIN, OFFICER = "bureau", "agency_admin", "officer"
ADMINS = (BUREAU, AGENCY_ADMIN)

# (label, endpoint, roles)
MAIN = [
    ("总览", "overview.index", ADMINS),
    ("我的档案", "personnel.me", (OFFICER,)),
    ("人员", "personnel.index", ADMINS),
    ("培训", "training.index", ADMINS),
    ("案件", "cases.index", ADMINS),
    ("监督", "supervision.index", ADMINS),
    ("系统", "system.index", (BUREAU,)),
]


def items_for(role: str | None) -> list[tuple[str, str]]:
    return [(label, endpoint) for label, endpoint, roles in MAIN if role in roles]


def home_endpoint(role: str | None) -> str:
    return "personnel.me" if role == OFFICER else "overview.index"


# The portal's navigation (no login).
PORTAL = [
    ("首页", "portal.home"),
    ("执法决定公示", "portal_cases.decisions"),
    ("执法事项目录", "portal_cases.catalogue"),
    ("裁量基准", "portal_cases.benchmarks"),
    ("从轻减轻及首违不罚清单", "portal_cases.lenient_lists"),
    ("重大执法决定法制审核目录", "portal_cases.major_decision_list"),
    ("双随机抽查结果", "portal_cases.draws"),
    ("执法证查询", "portal_personnel.certificate_check"),
    ("统计年报", "portal_supervision.reports"),
    ("投诉举报", "portal_supervision.complaint"),
    ("投诉办理进度", "portal_supervision.track"),
]
