"""Imaging concordance: how common each finding is in pain-free people, and the drawing.

Every imaging finding is shown with its prevalence in asymptomatic people of the
patient's age (Brinjikji 2015, linear between decades, nearest decade outside 20-80)
and whether it matches the pain drawing:

* a protrusion, extrusion or root compression against the dermatome drawn for the
  compressed root (the given root, else the traversing root of that level);
* other disc findings against midline lumbar pain (DePalma 2011: 95.8% of disc pain);
* facet findings against lumbar pain on that side.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from painmap.generators.candidates import SIDES
from painmap.generators.compile import Compiled
from painmap.generators.drawing_evidence import DrawingSummary
from painmap.generators.evidence import Finding
from painmap.generators.knowledge import item_index, load_asymptomatic_data

#: The root a paracentral disc herniation at a level usually compresses (textbook).
TRAVERSING_ROOT = {"L1-L2": "L2", "L2-L3": "L3", "L3-L4": "L4", "L4-L5": "L5", "L5-S1": "S1"}
_ROOT_FINDINGS = frozenset({"mri_disc_protrusion", "mri_disc_extrusion", "mri_root_compression"})


@dataclass(frozen=True)
class Prevalence:
    """Asymptomatic prevalence at an age, and whether both bracketing values are verified."""

    value: float
    verified: bool
    citations: tuple[str, ...]


def asymptomatic_prevalence(key: str, age: float) -> Prevalence:
    """Prevalence of a finding in asymptomatic people at an age (Brinjikji 2015).

    Parameters
    ----------
    key : str
        Finding key of ``asymptomatic.json`` (e.g. ``"disc_bulge"``).
    age : float
        Age in years; clamped to 20-80.

    Returns
    -------
    Prevalence
        Interpolated value, verification of the decades used, citations.
    """
    ages, values, verified_at, citations = _table(key)
    a = min(max(float(age), ages[0]), ages[-1])
    hi = bisect_left(ages, a)
    if ages[min(hi, len(ages) - 1)] == a:
        lo = hi
        value = values[hi]
    else:  # as numpy.interp: slope times the distance from the lower anchor
        lo = max(hi - 1, 0)
        slope = (values[hi] - values[lo]) / (ages[hi] - ages[lo])
        value = slope * (a - ages[lo]) + values[lo]
    hi = min(hi, len(ages) - 1)
    verified = bool(verified_at[lo] and verified_at[hi])
    return Prevalence(value, verified, citations)


@cache
def _table(key: str) -> tuple[list[float], list[float], list[bool], tuple[str, ...]]:
    """Ages, values, verification flags and citations of one finding (read once)."""
    data = load_asymptomatic_data()
    entry = data["findings"][key]
    return (
        [float(x) for x in data["ages"]],
        [float(x) for x in entry["values"]],
        [bool(x) for x in entry["verified"]],
        tuple(entry["citations"]),
    )


def _drawing_check(
    f: Finding, summary: DrawingSummary | None, sides: frozenset[str]
) -> tuple[bool | None, str]:
    if summary is None or not summary.any_pain:
        return None, "no pain drawing"
    item = item_index()[f.item]
    structure = item.targets[0].structure
    if f.item in _ROOT_FINDINGS:
        root = f.root or (TRAVERSING_ROOT.get(f.level) if f.level else None)
        if root is None:
            return None, "no root to compare with the drawing"
        check_sides = [f.side] if f.side in SIDES else sorted(sides)
        hit = any(summary.follows_dermatome(root, s) for s in check_sides)
        where = "/".join(check_sides)
        return hit, f"{root} dermatome ({where}) {'is' if hit else 'is not'} drawn"
    if structure == "disc":
        hit = summary.midline_lumbar
        return hit, f"midline lumbar pain {'is' if hit else 'is not'} drawn"
    if structure == "facet":
        check_sides = [f.side] if f.side in SIDES else sorted(SIDES)
        hit = any(s in summary.lumbar_sides for s in check_sides)
        return (
            hit,
            f"lumbar pain on the {'/'.join(check_sides)} side {'is' if hit else 'is not'} drawn",
        )
    return None, "not comparable with a drawing"


def imaging_flags(compiled: Compiled) -> list[dict[str, object]]:
    """One flag per imaging finding that is present.

    Returns
    -------
    list of dict
        Each with ``finding``, ``item``, ``level``, ``side``, ``root``, ``age``,
        ``asymptomatic_prevalence`` (None when unknown), ``prevalence_verified``,
        ``citations``, ``matches_drawing`` (None when there is no drawing) and
        ``drawing_check``.
    """
    items = item_index()
    sides = frozenset(s for s, on in zip(SIDES, compiled.side_mask[0], strict=True) if on)
    out: list[dict[str, object]] = []
    for f, source in compiled.findings:
        item = items[f.item]
        if item.category != "imaging" or f.result != "present" or source != "finding":
            continue
        prev = (
            asymptomatic_prevalence(item.prevalence_key, compiled.age)
            if item.prevalence_key
            else None
        )
        match, check = _drawing_check(f, compiled.summary, sides)
        out.append(
            {
                "finding": f.item.removeprefix("mri_").removeprefix("spect_"),
                "item": f.item,
                "level": f.level,
                "side": f.side,
                "root": f.root,
                "age": compiled.age,
                "asymptomatic_prevalence": None if prev is None else round(prev.value, 4),
                "prevalence_verified": None if prev is None else prev.verified,
                "citations": [] if prev is None else list(prev.citations),
                "matches_drawing": match,
                "drawing_check": check,
            }
        )
    return out
