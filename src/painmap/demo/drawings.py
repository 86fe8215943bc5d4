"""Pain drawings of synthetic patients, consistent with their true generator.

Each phenotype marks the body-chart regions of its usual pattern
(``drawing_patterns`` in ``demo_parameters.json``): axial regions at the generator's
level, somatic referral to the buttock and thigh, dermatomal-ish distributions for a
compressed root and widespread marks for nociplastic pain. Intensities follow the NRS
of the visit, and as pain improves the referred marks fade first.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from painmap.bodymap import REGION_IDS
from painmap.bodymap.drawing import Quality, RegionMark
from painmap.core.enums import Side, Structure
from painmap.demo.latent import Latent
from painmap.record.models import PainDrawingRecord

Rng = np.random.Generator

_QUALITIES: dict[Structure, tuple[Quality, ...]] = {
    Structure.DISC: (Quality.ACHING, Quality.DEEP),
    Structure.FACET: (Quality.ACHING,),
    Structure.SIJ: (Quality.ACHING, Quality.STABBING),
    Structure.NERVE_ROOT: (Quality.SHOOTING, Quality.ELECTRIC, Quality.PINS_AND_NEEDLES,
                           Quality.NUMBNESS),
    Structure.MYOFASCIAL: (Quality.ACHING, Quality.CRAMPING),
    Structure.NOCIPLASTIC: (Quality.BURNING, Quality.ACHING, Quality.THROBBING),
}


@lru_cache(maxsize=1)
def region_ids() -> frozenset[str]:
    """Ids of every region of the painmap body chart."""
    return frozenset(REGION_IDS)


def _sides(lat: Latent, rng: Rng) -> list[str]:
    if lat.side is Side.LEFT:
        return ["l"]
    if lat.side is Side.RIGHT:
        return ["r"]
    if lat.side is Side.BILATERAL:
        return ["l", "r"]
    # midline: sided regions on one or both sides
    return [["l"], ["r"], ["l", "r"]][int(rng.integers(0, 3))]


def _expand(kind: str, lat: Latent, sides: list[str]) -> list[str]:
    if lat.level is not None:
        upper, lower = lat.level.value.lower().split("-")
        lower = "l5" if lower == "s1" else lower
        kind = kind.replace("{lv}", upper).replace("{lv2}", lower)
    known = region_ids()
    if kind in known:
        return [kind]
    return [f"{kind}_{s}" for s in sides if f"{kind}_{s}" in known]


def _pattern(lat: Latent, leg_pain: bool, pats: dict[str, Any]) -> list[list[Any]]:
    ph = lat.phenotype
    if ph is Structure.NERVE_ROOT:
        assert lat.root is not None
        return list(pats[f"root_{lat.root.value}"])
    if ph is Structure.NOCIPLASTIC:
        return list(pats["nociplastic_core"])
    rows = list(pats[ph.value])
    if leg_pain and f"{ph.value}_referral" in pats:
        rows += pats[f"{ph.value}_referral"]
    return rows


def drawing_record(
    rng: Rng,
    lat: Latent,
    *,
    leg_pain: bool,
    nrs: int,
    scale: float,
    params: dict[str, Any] | None = None,
) -> PainDrawingRecord:
    """A pain drawing consistent with the true generator at one visit.

    Parameters
    ----------
    rng : numpy.random.Generator
        The patient's generator.
    lat : Latent
        The patient's hidden truth.
    leg_pain : bool
        Whether pain is referred to the leg.
    nrs : int
        Pain at this visit (0-10); 0 gives an empty drawing.
    scale : float
        Pain relative to baseline; referred marks fade as it falls.
    params : dict, optional
        Parsed demo parameters (loaded when omitted).

    Returns
    -------
    PainDrawingRecord
    """
    if params is None:
        from painmap.demo.parameters import load_parameters

        params = load_parameters()
    pats = params["drawing_patterns"]
    if nrs <= 0:
        return PainDrawingRecord()
    sides = _sides(lat, rng)
    qualities = _QUALITIES.get(lat.phenotype, (Quality.ACHING,))
    chosen: dict[str, float] = {}
    for i, (kind, p, factor) in enumerate(_pattern(lat, leg_pain, pats)):
        keep = p if i < 2 else p * min(1.0, max(scale, 0.0) ** 0.5)
        for rid in _expand(kind, lat, sides):
            if rng.random() < keep:
                chosen[rid] = float(factor)
    if lat.phenotype is Structure.NOCIPLASTIC:
        w = pats["nociplastic_widespread"]
        n = int(rng.integers(w["min_regions"], w["max_regions"] + 1))
        n = max(2, round(n * min(1.0, scale)))
        pool = sorted(region_ids() - set(chosen))
        for k in rng.choice(len(pool), size=min(n, len(pool)), replace=False):
            chosen[pool[int(k)]] = float(w["intensity_factor"])
    if not chosen:  # always at least the core region
        kind = _pattern(lat, leg_pain, pats)[0][0]
        chosen[_expand(kind, lat, sides or ["l"])[0]] = 1.0
    marks = []
    for rid in sorted(chosen):
        val = float(np.clip(np.round((nrs * chosen[rid] + rng.normal(0, 0.6)) * 2) / 2, 0.5, 10))
        n_q = int(rng.integers(1, min(2, len(qualities)) + 1))
        picks = sorted({qualities[int(j)] for j in rng.choice(len(qualities), size=n_q)})
        marks.append(RegionMark(id=rid, intensity=val, qualities=picks))
    return PainDrawingRecord(marks=marks)
