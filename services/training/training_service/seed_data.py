"""Seed data: the plan's training categories and its compulsory course (§二(一)2-3).

Codes are stable ASCII (events, settings and URLs refer to them); never rename them.
"""

from __future__ import annotations

CATEGORIES = [
    {"code": "public_law", "name": "公共法律知识"},
    {"code": "professional", "name": "业务知识和行政执法技能"},
    {"code": "political", "name": "政治轮训"},
]

REQUIRED_COURSE = "gbf-2023-27"  # 国办发〔2023〕27号, compulsory for every officer

COURSES = [
    {
        "course_id": REQUIRED_COURSE,
        "title": "国办发〔2023〕27号《提升行政执法质量三年行动计划（2023—2025年）》",
        "category_code": "public_law",
        "kind": "training",
        "required": True,
        "required_from": 2023,  # the plan's first year
        "counts_hours": True,
        "description": "必修内容：每名行政执法人员每年须参加（县司法局统一组织，线上+线下）。",
    },
]
