"""Reproducible random draws (case-file review batches, double-random inspections)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence


def seeded_sample(population: Sequence[str], k: int, seed: str) -> list[str]:
    """``k`` of ``population`` drawn with ``seed``: the same inputs always give the same draw (replayable).
    The population is sorted first so the draw does not depend on the order rows came from the database."""
    ordered = sorted(population)
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return random.Random(digest).sample(ordered, min(k, len(ordered)))


def draw_assignments(
    targets: Sequence[str], inspectors: Sequence[str], target_count: int, seed: str, per_target: int = 2
) -> list[tuple[str, list[str]]]:
    """双随机: ``target_count`` targets from the directory, then ``per_target`` inspectors for each, all from one seed.
    Replaying with the recorded pools and seed gives the same result."""
    if len(set(inspectors)) < per_target:
        raise ValueError(f"at least {per_target} certified inspectors are needed; {len(set(inspectors))} available")
    chosen = seeded_sample(targets, target_count, f"{seed}|targets")
    return [(target, sorted(seeded_sample(inspectors, per_target, f"{seed}|inspectors|{target}"))) for target in chosen]
