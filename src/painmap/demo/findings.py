"""Imaging, electrodiagnostic and block findings of synthetic patients.

Imaging combines age-typical findings of pain-free people (Brinjikji 2015, interpolated
by age) at random lumbar levels with the findings that the true generator causes at its
own level. EMG is requested mostly for radicular presentations; blocks are done where
the suspected generator is a facet or the sacroiliac joint, with the single-block
false-positive rate of Schwarzer 1994.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from painmap.core.enums import (
    BlockDesign,
    BlockType,
    ElectroFinding,
    ElectroTest,
    ImagingFinding,
    Modality,
    Root,
    Side,
    SpinalLevel,
    Structure,
)
from painmap.demo.latent import Latent, choice
from painmap.record.models import BlockRecord, ElectrodiagnosticRecord, ImagingRecord

Rng = np.random.Generator

_SIDED = {
    ImagingFinding.FACET_DEGENERATION,
    ImagingFinding.FACET_EFFUSION,
    ImagingFinding.FORAMINAL_STENOSIS,
    ImagingFinding.ROOT_COMPRESSION,
}


def asymptomatic_probability(finding: str, age: float, params: dict[str, Any]) -> float:
    """Probability of an age-typical finding in a pain-free person (linear interpolation).

    Parameters
    ----------
    finding : str
        A key of ``asymptomatic_imaging_by_age.findings``.
    age : float
        Age in years (clamped to 20-80).
    params : dict
        Parsed demo parameters.

    Returns
    -------
    float
        Probability in [0, 1].
    """
    table = params["asymptomatic_imaging_by_age"]
    return float(np.interp(age, table["ages"], table["findings"][finding]))


def imaging_records(rng: Rng, lat: Latent, params: dict[str, Any]) -> list[ImagingRecord]:
    """MRI findings per level: age-typical degeneration plus the generator's own signs."""
    # one record per finding and level (a bilateral finding covers both sides)
    found: dict[tuple[ImagingFinding, SpinalLevel], ImagingRecord] = {}

    def add(f: ImagingFinding, level: SpinalLevel, side: Side | None, root: Root | None = None
            ) -> None:
        if f in _SIDED and side in (None, Side.MIDLINE):
            side = Side.BILATERAL
        if f not in _SIDED:
            side = None if f is not ImagingFinding.DISC_PROTRUSION else side
        key = (f, level)
        if key not in found:
            found[key] = ImagingRecord(modality=Modality.MRI, finding=f, level=level, side=side,
                                       root=root)

    weights = params["background_level_weights"]["values"]
    for name in params["asymptomatic_imaging_by_age"]["findings"]:
        if rng.random() < asymptomatic_probability(name, lat.age, params):
            level = SpinalLevel(choice(rng, weights))
            side = Side.BILATERAL if ImagingFinding(name) in _SIDED else None
            add(ImagingFinding(name), level, side)
    sym = params["symptomatic_imaging"].get(lat.phenotype.value, {})
    if lat.level is not None:
        for name, p in sym.items():
            if rng.random() < p:
                f = ImagingFinding(name)
                side = lat.side if f in _SIDED or f is ImagingFinding.DISC_PROTRUSION else None
                root = lat.root if f is ImagingFinding.ROOT_COMPRESSION else None
                add(f, lat.level, side, root)
    return sorted(found.values(), key=lambda r: (r.level.value, r.finding.value))


def emg_records(rng: Rng, lat: Latent, leg_pain: bool, params: dict[str, Any]
                ) -> list[ElectrodiagnosticRecord]:
    """Needle EMG of the myotome muscles, for radicular or leg-pain presentations."""
    emg = params["emg"]
    if lat.phenotype is Structure.NERVE_ROOT:
        if rng.random() >= emg["radicular_referral"]:
            return []
    elif not (leg_pain and rng.random() < emg["other_with_leg_pain_referral"]):
        return []
    root = lat.root if lat.root is not None else Root(choice(rng, {"L5": 0.5, "S1": 0.5}))
    side = lat.side if lat.side in (Side.LEFT, Side.RIGHT) else Side.LEFT
    positive = (
        rng.random() < emg["sensitivity"]
        if lat.phenotype is Structure.NERVE_ROOT
        else rng.random() < emg["false_positive"]
    )
    out = []
    for muscle in emg["muscles"][root.value]:
        if positive and rng.random() < 0.8:
            finding = ElectroFinding(choice(rng, {"fibrillations": 0.5, "positive_sharp_waves": 0.3,
                                                  "chronic_reinnervation": 0.2}))
        else:
            finding = ElectroFinding.NORMAL
        out.append(ElectrodiagnosticRecord(test=ElectroTest.EMG, target=muscle, finding=finding,
                                           root=root, side=side))
    return out


def block_record(
    rng: Rng, lat: Latent, suspected: Structure, level: SpinalLevel | None, side: Side,
    params: dict[str, Any]
) -> BlockRecord | None:
    """A diagnostic block of the suspected facet or SIJ generator (None otherwise)."""
    if suspected not in (Structure.FACET, Structure.SIJ):
        return None
    b = params["blocks"]
    true_hit = lat.phenotype is suspected and (suspected is Structure.SIJ or lat.level == level)
    responds = rng.random() < (b["true_positive_relief_share"] if true_hit
                               else b["single_block_false_positive"])
    pre = float(lat.nrs)
    relief = rng.uniform(0.8, 1.0) if responds else rng.uniform(0.0, 0.45)
    post = float(np.clip(round(pre * (1.0 - relief)), 0, 10))
    design = BlockDesign(choice(rng, {"single": 0.6, "comparative": 0.4}))
    if suspected is Structure.FACET:
        assert level is not None
        return BlockRecord(type=BlockType.MEDIAL_BRANCH, levels=[level], side=side,
                           design=design, pre_pain=pre, post_pain=post,
                           concordant_duration=responds if design is BlockDesign.COMPARATIVE
                           else None)
    return BlockRecord(type=BlockType.SIJ_INTRAARTICULAR, side=side, design=design,
                       pre_pain=pre, post_pain=post,
                       concordant_duration=responds if design is BlockDesign.COMPARATIVE
                       else None)
