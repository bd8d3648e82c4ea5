"""The accounts area's messages and words (filled in with its pages)."""

EXACT: dict[str, str] = {}
PATTERNS: list[tuple[str, str]] = []
LABELS: dict[str, dict[str, str]] = {}
