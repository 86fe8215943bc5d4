"""The fixed set of candidate pain generators and their ids.

Ids read ``disc:<level>``, ``facet:<level>:<side>``, ``root:<root>:<side>``,
``sij:<side>``, ``hip:<side>``, ``myofascial``, ``nociplastic`` and ``other``. The order
is fixed so that cohorts can be ranked as one matrix (patients × candidates).
"""

from __future__ import annotations

from dataclasses import dataclass

from painmap.core.enums import LEVELS, ROOTS

SIDES: tuple[str, ...] = ("left", "right")
LEVEL_NAMES: tuple[str, ...] = tuple(str(level) for level in LEVELS)
ROOT_NAMES: tuple[str, ...] = tuple(str(root) for root in ROOTS)
#: Structures in the order their candidates appear.
STRUCTURES: tuple[str, ...] = (
    "disc",
    "facet",
    "root",
    "sij",
    "hip",
    "myofascial",
    "nociplastic",
)
OTHER_ID = "other"


@dataclass(frozen=True)
class Candidate:
    """One candidate: a structure at a location (level, root, side) or a global one."""

    id: str
    structure: str
    level: str | None = None
    root: str | None = None
    side: str | None = None


def _build() -> tuple[Candidate, ...]:
    out: list[Candidate] = [Candidate(f"disc:{lv}", "disc", level=lv) for lv in LEVEL_NAMES]
    out += [
        Candidate(f"facet:{lv}:{s}", "facet", level=lv, side=s) for lv in LEVEL_NAMES for s in SIDES
    ]
    out += [Candidate(f"root:{r}:{s}", "root", root=r, side=s) for r in ROOT_NAMES for s in SIDES]
    out += [Candidate(f"sij:{s}", "sij", side=s) for s in SIDES]
    out += [Candidate(f"hip:{s}", "hip", side=s) for s in SIDES]
    out += [Candidate("myofascial", "myofascial"), Candidate("nociplastic", "nociplastic")]
    return tuple(out)


#: All ranked candidates (without ``other``), in matrix column order.
CANDIDATES: tuple[Candidate, ...] = _build()
CANDIDATE_IDS: tuple[str, ...] = tuple(c.id for c in CANDIDATES)
INDEX: dict[str, int] = {c.id: i for i, c in enumerate(CANDIDATES)}
N_CANDIDATES = len(CANDIDATES)


def indices_of(structure: str) -> list[int]:
    """Column indices of every candidate of one structure."""
    return [i for i, c in enumerate(CANDIDATES) if c.structure == structure]
