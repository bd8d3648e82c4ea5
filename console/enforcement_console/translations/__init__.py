"""What the console says in Chinese for what the API says in English: one module per area.

Each module has ``EXACT`` (message → Chinese), ``PATTERNS`` (regular expression → Chinese with ``\\1``-style groups,
or a function of the match for a message that lists things)
and ``LABELS`` (kind → code → Chinese word, e.g. ``certificate_status`` → ``valid`` → 有效). The words follow the
county's glossary (docs/console.md). A message with no translation is shown as a generic Chinese sentence and
logged, so it can be added here.
"""

from __future__ import annotations

import re

from . import accounts, cases, common, personnel, supervision, training

# common last: the messages every service shares (access rules, uploads) read the same wherever they come from
MODULES = (accounts, personnel, training, cases, supervision, common)

EXACT: dict[str, str] = {}
PATTERNS: list[tuple[re.Pattern, object]] = []  # Chinese text, or a function of the match
LABELS: dict[str, dict[str, str]] = {}
for _module in MODULES:
    EXACT.update(getattr(_module, "EXACT", {}))
    PATTERNS.extend((re.compile(p), zh) for p, zh in getattr(_module, "PATTERNS", []))
    for _kind, _words in getattr(_module, "LABELS", {}).items():
        LABELS.setdefault(_kind, {}).update(_words)
