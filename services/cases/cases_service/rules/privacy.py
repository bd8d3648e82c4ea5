"""Personal data shown to others: masked names and ID numbers."""

from __future__ import annotations


def mask_person_name(name: str) -> str:
    """A natural person's name as published: the surname kept, the rest starred (张三 -> 张*, 欧阳娜娜 -> 欧***)."""
    value = (name or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def mask_id_number(value: str) -> str:
    """First 6 (region) and last 4 characters of an 18-character ID; shorter documents keep 2 and 2."""
    text = value.strip().upper()
    keep_head, keep_tail = (6, 4) if len(text) >= 15 else (2, 2)
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[-keep_tail:]


def party_display_name(kind: str, name: str) -> str:
    """Organisations are published by name; citizens masked."""
    return mask_person_name(name) if kind == "citizen" else name.strip()
