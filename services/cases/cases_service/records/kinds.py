"""The document-kind catalogue (文书种类): which documents a case file holds, at which stage, when each is required,
and how large and of which media type an uploaded file of the kind may be. Data, versioned like the review checklist:
``DOCUMENT_KINDS_V1`` is seeded as version 1 of the ``record_kind_catalogues`` table; a county files a new version
rather than editing one in use.

A kind's ``required`` is a list of rules; the kind is required for a case when ANY rule holds. A rule holds when the
case's enforcement type is among ``types`` (absent: any type), its procedure among ``procedures`` (absent: any) and
every fact in ``when`` holds for it (see ``CONDITIONS``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import models as m

# The case's stages, in order, as its stage dates name them (filed_on, investigation_ended_on, notice_on,
# hearing_held_on, the legal review, decided_on, served_on, executed_on, closed_on).
STAGES = ("filed", "investigated", "noticed", "heard", "reviewed", "decided", "served", "executed", "closed")

# The facts a requirement may depend on; rules/completeness.py decides each from the case.
CONDITIONS = (
    "filed",  # always true of a reported case
    "investigated",  # investigation_ended_on set
    "noticed",  # notice_on set (告知)
    "hearing_held",  # hearing_held_on set (听证)
    "major",  # a major decision (重大执法决定): legal review required (法制审核)
    "decided",  # decided_on set
    "served",  # served_on set
    "executed",  # executed_on set
    "has_fine",  # the decision includes a fine
)

MB = 1024 * 1024
PDF = "application/pdf"
IMAGES = ["image/jpeg", "image/png"]
SCANS = [PDF, *IMAGES]
AUDIO = ["audio/mpeg", "audio/mp4", "audio/wav"]
VIDEO = ["video/mp4", "video/quicktime"]

_PENALTY_ORDINARY = {"types": ["penalty"], "procedures": ["ordinary"]}

DOCUMENT_KINDS_V1: dict = {
    "effective_from": "2023-01-01",
    "kinds": [
        {
            "code": "filing_approval",
            "name": "立案审批表",
            "stages": ["filed"],
            "required": [{**_PENALTY_ORDINARY, "when": ["filed"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "inquiry_record",
            "name": "询问/调查笔录",
            "stages": ["filed", "investigated"],
            "required": [{**_PENALTY_ORDINARY, "when": ["investigated"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "inspection_record",
            "name": "现场检查（勘验）笔录",
            "stages": ["filed", "investigated"],
            "required": [{"types": ["inspection"], "when": ["filed"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "evidence_photo",
            "name": "证据照片",
            "stages": ["filed", "investigated"],
            "required": [],
            "max_bytes": 20 * MB,
            "media_types": IMAGES,
        },
        {
            "code": "evidence_scan",
            "name": "书证扫描件",
            "stages": ["filed", "investigated"],
            "required": [],
            "max_bytes": 50 * MB,
            "media_types": SCANS,
        },
        {
            "code": "evidence_audio",
            "name": "视听资料（音频）",
            "stages": ["filed", "investigated"],
            "required": [],
            "max_bytes": 200 * MB,
            "media_types": AUDIO,
        },
        {
            "code": "evidence_video",
            "name": "视听资料（视频）",
            "stages": ["filed", "investigated"],
            "required": [],
            "max_bytes": 1024 * MB,
            "media_types": VIDEO,
        },
        {
            "code": "investigation_report",
            "name": "案件调查终结报告",
            "stages": ["investigated"],
            "required": [{**_PENALTY_ORDINARY, "when": ["investigated"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "notice_of_rights",
            "name": "行政处罚事先告知书",
            "stages": ["noticed"],
            "required": [{**_PENALTY_ORDINARY, "when": ["noticed"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "hearing_notice",
            "name": "听证通知书",
            "stages": ["heard"],
            "required": [{"when": ["hearing_held"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "hearing_record",
            "name": "听证笔录",
            "stages": ["heard"],
            "required": [{"when": ["hearing_held"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "legal_review_opinion",
            "name": "法制审核意见书",
            "stages": ["reviewed"],
            "required": [{"when": ["major", "decided"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "collective_discussion",
            "name": "集体讨论记录",
            "stages": ["reviewed"],
            "required": [{"when": ["major", "decided"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "decision",
            "name": "行政处理决定书",
            "stages": ["decided"],
            "required": [{"when": ["decided"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "service_receipt",
            "name": "送达回证",
            "stages": ["served"],
            "required": [{**_PENALTY_ORDINARY, "when": ["decided"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "payment_receipt",
            "name": "罚没款缴纳凭证",
            "stages": ["executed"],
            "required": [{"types": ["penalty"], "when": ["executed", "has_fine"]}],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "closing_report",
            "name": "结案报告",
            "stages": ["closed"],
            "required": [],
            "max_bytes": 20 * MB,
            "media_types": SCANS,
        },
        {
            "code": "recording",
            "name": "执法记录仪音视频",
            "stages": list(STAGES[:-1]),
            "required": [],  # the whole-process rule (rules/recordings.py) says when recordings are needed
            "max_bytes": 2048 * MB,
            "media_types": [*AUDIO, *VIDEO],
        },
        {
            "code": "other",
            "name": "其他文书",
            "stages": list(STAGES),
            "required": [],
            "max_bytes": 50 * MB,
            "media_types": [*SCANS, *AUDIO, *VIDEO],
        },
    ],
}


@dataclass(frozen=True)
class Requirement:
    types: tuple[str, ...] | None
    procedures: tuple[str, ...] | None
    when: tuple[str, ...]

    def holds(self, type_code: str, procedure: str, facts: set[str]) -> bool:
        return (
            (self.types is None or type_code in self.types)
            and (self.procedures is None or procedure in self.procedures)
            and all(fact in facts for fact in self.when)
        )


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    stages: tuple[str, ...]
    required: tuple[Requirement, ...]
    max_bytes: int
    media_types: tuple[str, ...]

    def required_for(self, type_code: str, procedure: str, facts: set[str]) -> bool:
        return any(rule.holds(type_code, procedure, facts) for rule in self.required)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "stages": list(self.stages),
            "required": [
                {
                    **({"types": list(r.types)} if r.types is not None else {}),
                    **({"procedures": list(r.procedures)} if r.procedures is not None else {}),
                    "when": list(r.when),
                }
                for r in self.required
            ],
            "max_bytes": self.max_bytes,
            "media_types": list(self.media_types),
        }


def _kind(data: dict) -> Kind:
    return Kind(
        code=data["code"],
        name=data["name"],
        stages=tuple(data["stages"]),
        required=tuple(
            Requirement(
                types=tuple(r["types"]) if r.get("types") is not None else None,
                procedures=tuple(r["procedures"]) if r.get("procedures") is not None else None,
                when=tuple(r.get("when", ())),
            )
            for r in data.get("required", ())
        ),
        max_bytes=int(data["max_bytes"]),
        media_types=tuple(data["media_types"]),
    )


@dataclass(frozen=True)
class Catalogue:
    version: int
    effective_from: date
    kinds: tuple[Kind, ...]
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_data(cls, version: int, effective_from: date, kinds: list[dict]) -> Catalogue:
        parsed = tuple(_kind(k) for k in kinds)
        return cls(version, effective_from, parsed, {k.code: k for k in parsed})

    def kind(self, code: str) -> Kind | None:
        return self._by_code.get(code)

    def required_kinds(self, type_code: str, procedure: str, facts: set[str]) -> list[Kind]:
        """The kinds a case of this type and procedure, with these facts, must hold (catalogue order)."""
        return [k for k in self.kinds if k.required_for(type_code, procedure, facts)]

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "kinds": [k.as_dict() for k in self.kinds],
        }


def default_catalogue() -> Catalogue:
    """Version 1 as seeded (for pure tests and for a database not yet seeded)."""
    return Catalogue.from_data(1, date.fromisoformat(DOCUMENT_KINDS_V1["effective_from"]), DOCUMENT_KINDS_V1["kinds"])


def kind_catalogue(session) -> Catalogue:
    """The current catalogue: the highest version in the database (version 1 as seeded when none is there yet)."""
    row = session.execute(
        select(m.KindCatalogue).order_by(m.KindCatalogue.version.desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        return default_catalogue()
    return Catalogue.from_data(row.version, row.effective_from, row.kinds)


def seed_kind_catalogue(tx, catalogue: dict = DOCUMENT_KINDS_V1) -> int:
    """Version 1, once (the seed plugin runs again safely): 1 if added, 0 if present."""
    if tx.session.get(m.KindCatalogue, 1) is not None:
        return 0
    tx.session.add(
        m.KindCatalogue(
            version=1,
            effective_from=date.fromisoformat(catalogue["effective_from"]),
            kinds=catalogue["kinds"],
            created_by="seed",
        )
    )
    return 1
