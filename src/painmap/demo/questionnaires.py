"""Questionnaire answers of synthetic patients, generated from their latent traits.

Answers are item-level, in published item order, and valid for
:func:`painmap.instruments.validate_answers`. No item text is involved.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Rng = np.random.Generator


def _items(rng: Rng, n: int, level: float, lo: int, hi: int, sd: float = 0.8) -> list[int]:
    """``n`` integer items around ``level`` (in item units), clipped to ``lo..hi``."""
    vals = np.clip(np.rint(rng.normal(level, sd, size=n)), lo, hi)
    return [int(v) for v in vals]


def odi_percent_target(nrs: float, distress: float, rng: Rng) -> float:
    """A plausible ODI percentage for a pain level and distress (0-100)."""
    return float(np.clip(6.0 + 4.2 * nrs + 6.0 * distress + rng.normal(0.0, 6.0), 0.0, 100.0))


def nrs_answers(nrs: int) -> list[int]:
    """NRS: one item, 0-10."""
    return [int(nrs)]


def odi_answers(rng: Rng, odi_percent: float) -> list[int]:
    """ODI v2.1a: ten sections 0-5 whose total is near ``odi_percent``."""
    return _items(rng, 10, odi_percent / 20.0, 0, 5, sd=0.7)


def rmdq_answers(rng: Rng, odi_percent: float) -> list[int]:
    """RMDQ-24: 24 yes(1)/no(0) items; the count tracks disability."""
    p = float(np.clip(0.05 + 0.95 * odi_percent / 70.0, 0.0, 0.97))
    return [int(x) for x in (rng.random(24) < p)]


def promis_pi_4a_answers(rng: Rng, odi_percent: float) -> list[int]:
    """PROMIS Pain Interference 4a: four items 1-5."""
    return _items(rng, 4, 1.0 + 4.0 * odi_percent / 75.0, 1, 5, sd=0.6)


def startback_answers(
    rng: Rng, *, leg_pain: bool, widespread: bool, odi_percent: float, distress: float
) -> list[int]:
    """Keele STarT Back (9 items): items 1-8 agree 1 / disagree 0; item 9 bothersomeness 0-4.

    Item 9 is the index of the answer (0 not at all ... 4 extremely); the instrument
    scores it positive for 3 (very much) and 4 (extremely).
    """
    def agree(p: float) -> int:
        return int(rng.random() < float(np.clip(p, 0.02, 0.98)))

    func = odi_percent / 60.0
    psych = 1.0 / (1.0 + np.exp(-(1.6 * distress - 0.3)))
    items = [
        agree(0.85 if leg_pain else 0.2),
        agree(0.6 if widespread else 0.25),
        agree(func),
        agree(func * 0.8),
        agree(psych),
        agree(psych),
        agree(psych * 0.9),
        agree(psych * 0.8),
    ]
    bother = int(np.clip(np.rint(rng.normal(1.5 + 1.2 * distress + func, 0.8)), 0, 4))
    return [*items, bother]


#: painDETECT pain-course pictogram codes and how often the demo picks each.
PAINDETECT_COURSES = {
    "persistent_slight_fluctuations": 0.45,
    "persistent_with_attacks": 0.30,
    "attacks_pain_free_between": 0.10,
    "attacks_pain_between": 0.15,
}


def paindetect_answers(rng: Rng, *, neuropathic: float, radiating: bool) -> dict[str, Any]:
    """painDETECT: seven sensory items 0-5, the pain-course code, and radiation yes/no."""
    sensory = _items(rng, 7, 1.2 + 0.9 * neuropathic, 0, 5, sd=0.9)
    codes = list(PAINDETECT_COURSES)
    p = np.asarray(list(PAINDETECT_COURSES.values()))
    course = codes[int(rng.choice(len(codes), p=p / p.sum()))]
    return {"sensory": sensory, "course": course, "radiating": bool(radiating)}


def csi_answers(rng: Rng, *, distress: float, nociplastic: bool) -> list[int]:
    """Central Sensitization Inventory part A: 25 items 0-4."""
    level = 1.2 + 0.6 * distress + (0.9 if nociplastic else 0.0)
    return _items(rng, 25, level, 0, 4, sd=0.9)


def pcs_answers(rng: Rng, *, distress: float) -> list[int]:
    """Pain Catastrophizing Scale: 13 items 0-4."""
    return _items(rng, 13, 1.4 + 0.8 * distress, 0, 4, sd=0.8)
