"""Seed agencies of Wuzhai County (五寨县, 忻州市, division code 140928).

Names follow the county's 2023-2025 implementation plan. Codes are stable ASCII slugs (division code + pinyin
abbreviation) so other services, events and URLs can refer to an agency without Chinese text; never renumber them.
Every dict has the same keys so callers need no defaults.
"""

from __future__ import annotations

from typing import Any

DIVISION_CODE = "140928"

KIND_DEPARTMENT = "department"
KIND_TOWNSHIP = "township"  # towns (镇) and townships (乡) alike: both are township-level governments


#: The police bureau's enforcement domains: its officers enforce in these with their police card (人民警察证).
POLICE_DOMAINS = ["public_security"]


def _agency(slug: str, name: str, kind: str, *, is_supervisor: bool = False, is_police: bool = False) -> dict[str, Any]:
    return {
        "code": f"{DIVISION_CODE}-{slug}",
        "name": name,
        "kind": kind,
        "is_supervisor": is_supervisor,
        # Officers of a police agency carry a police card (People's Police Law), never an enforcement certificate,
        # and enforce in the agency's domains with it.
        "is_police": is_police,
        "domains": list(POLICE_DOMAINS) if is_police else [],
    }


AGENCIES: list[dict[str, Any]] = [
    # County departments named in the plan.
    _agency("scjgj", "县市场监管局", KIND_DEPARTMENT),
    _agency("gaj", "县公安局", KIND_DEPARTMENT, is_police=True),
    _agency("jtysj", "县交通运输局", KIND_DEPARTMENT),
    _agency("sthjfj", "市生态环境局五寨分局", KIND_DEPARTMENT),
    _agency("nyncj", "县农业农村局", KIND_DEPARTMENT),
    _agency("whlyj", "县文化和旅游局", KIND_DEPARTMENT),
    _agency("zrzyj", "县自然资源局", KIND_DEPARTMENT),
    _agency("yjj", "县应急局", KIND_DEPARTMENT),
    _agency("rsj", "县人社局", KIND_DEPARTMENT),
    _agency("wjj", "县卫健局", KIND_DEPARTMENT),
    _agency("xzspj", "县行政审批服务管理局", KIND_DEPARTMENT),
    _agency("zjj", "县住房城乡建设局", KIND_DEPARTMENT),
    # The justice bureau supervises every enforcement agency.
    _agency("sfj", "县司法局", KIND_DEPARTMENT, is_supervisor=True),
    _agency("czj", "县财政局", KIND_DEPARTMENT),
    _agency("fgw", "县发展和改革委员会", KIND_DEPARTMENT),
    # Towns (镇); full pinyin keeps look-alike names such as 李家坪/梁家坪 apart.
    _agency("yancheng", "砚城镇", KIND_TOWNSHIP),
    _agency("xiaohetou", "小河头镇", KIND_TOWNSHIP),
    _agency("sancha", "三岔镇", KIND_TOWNSHIP),
    # Townships (乡).
    _agency("qiansuo", "前所乡", KIND_TOWNSHIP),
    _agency("lijiaping", "李家坪乡", KIND_TOWNSHIP),
    _agency("sunjiaping", "孙家坪乡", KIND_TOWNSHIP),
    _agency("liangjiaping", "梁家坪乡", KIND_TOWNSHIP),
    _agency("huhui", "胡会乡", KIND_TOWNSHIP),
    _agency("xinzhai", "新寨乡", KIND_TOWNSHIP),
    _agency("hanjialou", "韩家楼乡", KIND_TOWNSHIP),
    _agency("dongxiuzhuang", "东秀庄乡", KIND_TOWNSHIP),
    _agency("xinglingzi", "杏岭子乡", KIND_TOWNSHIP),
]

AGENCY_BY_CODE: dict[str, dict[str, Any]] = {a["code"]: a for a in AGENCIES}
