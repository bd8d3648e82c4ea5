"""The training service's settings (``TRAINING`` in config.yml), built once per container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from enforcement_kernel.config import setting
from enforcement_kernel.spreadsheets import Limits

from . import rules


@dataclass(frozen=True)
class Settings:
    policy: rules.Policy
    pass_mark: float
    max_score: float
    import_max_rows: int
    max_reported_problems: int
    sheet_limits: Limits = Limits()  # SPREADSHEETS: what an uploaded .xlsx may unpack to and hold

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        t = lambda key, default: setting(config, f"TRAINING.{key}", default)  # noqa: E731
        deadline = _date(t("rotation_deadline", "2024-06-30"))
        window_start = _date(t("rotation_window_start", "2023-01-01"))
        if deadline and window_start and window_start > deadline:
            raise ValueError("TRAINING.rotation_window_start must not be after TRAINING.rotation_deadline")
        hours = t("yearly_hours", {"public_law": 30, "professional": 30}) or {}
        return cls(
            policy=rules.Policy(
                yearly_hours={str(k): float(v) for k, v in hours.items()},
                rotation_deadline=deadline,
                rotation_window_start=window_start,
                hours_step=float(t("hours_step", 0.5)),
                max_hours_per_day=float(t("max_hours_per_day", 12)),
            ),
            pass_mark=float(t("exam_pass_mark", 60)),
            max_score=float(t("exam_max_score", 100)),
            import_max_rows=int(t("import_max_rows", 200000)),
            max_reported_problems=int(t("import_max_reported_problems", 1000)),
            sheet_limits=Limits.from_config(config),
        )


def _date(value) -> date | None:
    """A date setting: a YAML date, an ISO string, or empty (off)."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
