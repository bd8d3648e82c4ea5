"""Random draws nobody can rig (case-file review batches, double-random inspections): the server makes the seed,
publishes its SHA-256 hash when the draw is planned (its pools fixed), and reveals the seed once the draw is made;
anyone holding the recorded pools and the seed can replay it."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

#: random bytes of a seed: 128 bits, so nobody can find it from its published hash before it is revealed
SEED_BYTES = 16


def new_seed() -> str:
    """A fresh seed from the operating system's secure random source, as hex (only the server makes seeds)."""
    return secrets.token_hex(SEED_BYTES)


def seed_hash(seed: str) -> str:
    """The commitment published before the draw: the SHA-256 of the seed's UTF-8 bytes, as lower-case hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def seed_matches(seed: str, committed: str) -> bool:
    """Whether a revealed ``seed`` is the one whose hash was published (``committed``)."""
    return hmac.compare_digest(seed_hash(seed), committed.lower())


def seeded_sample(population: Sequence[str], k: int, seed: str) -> list[str]:
    """``k`` of ``population`` drawn with ``seed``: the same inputs always give the same draw (replayable).
    The population is sorted first so the draw does not depend on the order rows came from the database."""
    ordered = sorted(population)
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return random.Random(digest).sample(ordered, min(k, len(ordered)))


def draw_targets(targets: Sequence[str], target_count: int, seed: str) -> list[str]:
    """The targets of a double-random draw, in the order drawn: they depend on the target pool and the seed only,
    so the public can replay them without knowing the inspectors."""
    return seeded_sample(targets, target_count, f"{seed}|targets")


def draw_assignments(
    targets: Sequence[str], inspectors: Sequence[str], target_count: int, seed: str, per_target: int = 2
) -> list[tuple[str, list[str]]]:
    """双随机: ``target_count`` targets from the directory, then ``per_target`` inspectors for each, all from one seed.
    Replaying with the recorded pools and seed gives the same result."""
    if len(set(inspectors)) < per_target:
        raise ValueError(f"at least {per_target} certified inspectors are needed; {len(set(inspectors))} available")
    chosen = draw_targets(targets, target_count, seed)
    return [(target, sorted(seeded_sample(inspectors, per_target, f"{seed}|inspectors|{target}"))) for target in chosen]


@dataclass(frozen=True)
class ReplayCheck:
    """A replay of a draw: the revealed seed is the committed one, and the recorded result comes out again."""

    seed_matches: bool
    result_matches: bool

    @property
    def reproduced(self) -> bool:
        return self.seed_matches and self.result_matches


def check_targets(
    seed: str, committed: str, target_pool: Sequence[str], target_count: int, recorded: Sequence[str]
) -> ReplayCheck:
    """What anyone can check from a published draw: the seed against its hash, the targets against the pool."""
    return ReplayCheck(seed_matches(seed, committed), draw_targets(target_pool, target_count, seed) == list(recorded))


def check_assignments(
    seed: str,
    committed: str,
    target_pool: Sequence[str],
    inspector_pool: Sequence[str],
    target_count: int,
    per_target: int,
    recorded: Sequence[tuple[str, Sequence[str]]],
) -> ReplayCheck:
    """The whole draw, inspectors included (the staff's replay: the inspector pool is not public)."""
    again = draw_assignments(target_pool, inspector_pool, target_count, seed, per_target)
    return ReplayCheck(
        seed_matches(seed, committed), again == [(target, list(officers)) for target, officers in recorded]
    )


def check_sample(seed: str, committed: str, population: Sequence[str], k: int, recorded: Sequence[str]) -> ReplayCheck:
    """A review batch: the seed against its hash, and the same cases drawn from the recorded population (in any
    order: the files are listed by case number)."""
    return ReplayCheck(seed_matches(seed, committed), sorted(seeded_sample(population, k, seed)) == sorted(recorded))
