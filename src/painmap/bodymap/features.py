"""Drawing features a spine clinician reads from a pain drawing (evidence for ranking).

:func:`features` turns a drawing into named, documented facts: which sides hurt in the
lumbar area (and whether in the midline), the buttock, over the SIJ, the groin, the hip,
the thigh, below the knee and in the foot; per-root and per-side dermatome scores; the
Quebec class; widespread-pain counts; and pain descriptors in the leg. The pain-generator
ranking uses them as evidence; none of them is a diagnosis on its own (most radicular pain
is non-dermatomal, Murphy 2009).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from painmap.bodymap.drawing import Drawing, Quality
from painmap.bodymap.metrics import DrawingMetrics, Laterality, metrics_from_state
from painmap.bodymap.regions import DERMATOME_ROOTS, regions
from painmap.bodymap.schemes import schemes
from painmap.bodymap.state import RegionState, region_state
from painmap.core.enums import Root, Side

LimbSide = Literal["left", "right"]

#: Descriptors that suggest neuropathic (e.g. radicular) pain when drawn in the leg.
NEUROPATHIC_QUALITIES = frozenset({
    Quality.BURNING, Quality.ELECTRIC, Quality.SHOOTING, Quality.PINS_AND_NEEDLES,
    Quality.NUMBNESS,
})

#: Named areas (region-id name stems, without view prefix and side suffix) in ``areas``.
AREA_STEMS: dict[str, tuple[str, ...]] = {
    "lumbar": ("lumbar_l1", "lumbar_l2", "lumbar_l3", "lumbar_l4", "lumbar_l5"),
    "flank": ("flank_upper", "flank_lower"),
    "sij": ("sij",),
    "sacrum": ("sacrum", "coccyx"),
    "buttock": ("buttock", "buttock_upper_outer"),
    "hip_lateral": ("hip_lat", "hip_post"),
    "hip_anterior": ("hip_ant",),
    "groin": ("groin", "inguinal"),
    "thigh_anterior": ("thigh_ant",),
    "thigh_lateral": ("thigh_lat", "thigh_postlat"),
    "thigh_medial": ("thigh_med", "thigh_postmed"),
    "thigh_posterior": ("thigh_post_",),
    "knee": ("knee", "popliteal"),
    "leg_anterior": ("leg_ant",),
    "leg_lateral": ("leg_lat", "leg_postlat"),
    "leg_medial": ("leg_med", "leg_postmed"),
    "calf": ("calf",),
    "ankle": ("ankle", "achilles"),
    "foot_dorsum": ("dorsum", "hallux", "toes_lesser"),
    "foot_lateral": ("foot_lat", "sole_lat"),
    "foot_medial": ("foot_med", "sole_med"),
    "heel": ("heel",),
    "sole": ("sole",),
}


class DrawingFeatures(BaseModel):
    """Clinical features of one drawing. Sides are the patient's.

    Attributes
    ----------
    dermatome_scores : dict of Root to dict of side to float
        Per root (L1-S2) and side, the painted share (0-1) of that side's textbook
        territory (midline regions count half to each side).
    dermatome_match : dict of Root to dict of side to float
        Per root and side, the Dice match (0-1) between that side's painted skin and the
        root's territory (as ``DrawingMetrics.dermatomes``, one side at a time; midline
        regions count half): high only when the pain covers much of the territory and lies
        mostly inside it. The best single number for "this leg pain looks like root k".
    dermatome_share : dict of Root to dict of side to float
        Per root and side, the share (0-1) of that side's painful lower-limb area (hip to
        foot) lying in the root's territory: how well the leg pain fits one dermatome.
    lumbar_sides : list of Side
        Sides with low-back pain between the 12th ribs and the iliac crest (lumbar rows and
        flank), ``midline`` included when the lumbar midline hurts.
    midline_lumbar : bool
        Pain over the lumbar spinous processes (midline strip L1-L5).
    lumbar_levels : list of str
        Lumbar rows (``L1``..``L5``) with midline or paraspinal pain.
    sij_sides, buttock_sides, groin_sides, hip_sides, thigh_sides, knee_sides,
    below_knee_sides, foot_sides : list of Side
        Sides with pain over the SIJ/sacral sulcus, the buttock, the groin, the hip (lateral
        or anterior), the thigh (any face), the knee, below the knee, the ankle or foot.
    areas : dict of str to list of Side
        Sides with pain in each named area of :data:`AREA_STEMS` (e.g. ``thigh_posterior``,
        ``leg_lateral``, ``foot_dorsum``, ``heel``).
    whole_leg_sides : list of Side
        Sides where every face of thigh and leg hurts (circumferential, non-dermatomal).
    neuropathic_leg_sides : list of Side
        Sides with burning, electric, shooting, pins-and-needles or numbness descriptors
        in the lower limb.
    qualities : list of Quality
        Every descriptor used anywhere.
    leg_dominant : bool
        Intensity-weighted painful area in the lower limbs exceeds that in the low back.
    back_max_intensity, leg_max_intensity : float
        Highest intensity in the low-back area and in the lower limbs.
    quebec, wpi, wpi_regions_generalized, generalized_pain, extent_fraction, laterality,
    distality
        As in :class:`~painmap.bodymap.metrics.DrawingMetrics`.
    """

    model_config = ConfigDict(frozen=True)

    dermatome_scores: dict[Root, dict[LimbSide, float]]
    dermatome_match: dict[Root, dict[LimbSide, float]]
    dermatome_share: dict[Root, dict[LimbSide, float]]
    lumbar_sides: list[Side]
    midline_lumbar: bool
    lumbar_levels: list[str]
    sij_sides: list[Side]
    buttock_sides: list[Side]
    groin_sides: list[Side]
    hip_sides: list[Side]
    thigh_sides: list[Side]
    knee_sides: list[Side]
    below_knee_sides: list[Side]
    foot_sides: list[Side]
    areas: dict[str, list[Side]]
    whole_leg_sides: list[Side]
    neuropathic_leg_sides: list[Side]
    qualities: list[Quality]
    leg_dominant: bool
    back_max_intensity: float
    leg_max_intensity: float
    quebec: int | None
    wpi: int
    wpi_regions_generalized: int
    generalized_pain: bool
    extent_fraction: float
    laterality: Laterality
    distality: int | None = Field(description="0 lumbar ... 5 ankle/foot; null if none.")


_SIDE_ORDER = (Side.LEFT, Side.RIGHT, Side.MIDLINE)


def _stem(region_id: str) -> str:
    body = region_id[2:]
    return body[:-2] if body.endswith(("_l", "_r")) else body


def _sides(mask: np.ndarray, sel: np.ndarray) -> list[Side]:
    regs = regions()
    hit = {regs[i].side for i in np.flatnonzero(mask & sel)}
    return [s for s in _SIDE_ORDER if s in hit]


def _select(pred: object) -> np.ndarray:
    regs = regions()
    assert callable(pred)
    return np.array([bool(pred(r)) for r in regs])


def features_from_state(state: RegionState, m: DrawingMetrics | None = None
                        ) -> DrawingFeatures:
    """Features of one drawing from its per-region state (see :func:`features`)."""
    regs = regions()
    s = schemes()
    m = m if m is not None else metrics_from_state(state)
    c = state.coverage
    painful = state.painful
    stems = [_stem(r.id) for r in regs]
    side = np.array([r.side.value for r in regs])
    limb = s.distality >= 2
    areas: dict[str, list[Side]] = {}
    for name, prefixes in AREA_STEMS.items():
        sel = np.array([st.startswith(prefixes) for st in stems])
        areas[name] = _sides(painful, sel)
    lumbar_rows = np.array([st.startswith("lumbar_") for st in stems])
    lumbar_sel = lumbar_rows | np.array([st.startswith("flank_") for st in stems])
    midline_lumbar = bool((painful & lumbar_rows & (side == "midline")).any())
    levels = sorted({stems[i][7:9].upper() for i in np.flatnonzero(painful & lumbar_rows)})
    scores: dict[Root, dict[LimbSide, float]] = {}
    match: dict[Root, dict[LimbSide, float]] = {}
    share: dict[Root, dict[LimbSide, float]] = {}
    for sd in ("left", "right"):
        wside = (side == sd).astype(float) + 0.5 * (side == "midline")
        num = (c * wside) @ s.dermatome_area
        den = wside @ s.dermatome_area
        limb_side = limb & (side == sd)
        limb_area = float((c * limb_side) @ s.area)
        limb_num = (c * limb_side) @ s.dermatome_area
        painted_mapped = float((c * wside) @ s.mapped_area)
        for k, root in enumerate(DERMATOME_ROOTS):
            scores.setdefault(root, {})[sd] = round(float(num[k] / den[k]), 6)
            match.setdefault(root, {})[sd] = round(float(2 * num[k] / (painted_mapped + den[k])),
                                                   6)
            share.setdefault(root, {})[sd] = round(float(limb_num[k] / limb_area), 6) \
                if limb_area > 0 else 0.0
    whole: list[Side] = []
    faces = ("thigh_anterior", "thigh_lateral", "thigh_medial", "thigh_posterior",
             "leg_anterior", "leg_lateral", "leg_medial", "calf")
    for sd in (Side.LEFT, Side.RIGHT):
        if all(sd in areas[f] for f in faces):
            whole.append(sd)
    neuro: set[Side] = set()
    all_q: set[Quality] = set()
    for idx, qs in state.qualities.items():
        all_q |= qs
        if limb[idx] and qs & NEUROPATHIC_QUALITIES and painful[idx]:
            neuro.add(regs[idx].side)
    low_back = s.low_back > 0
    back_w = float((state.weighted * low_back) @ s.area)
    leg_w = float((state.weighted * limb) @ s.area)
    back_i = state.intensity[painful & low_back]
    leg_i = state.intensity[painful & limb]

    def by_segment(*segs: str) -> list[Side]:
        return _sides(painful, np.array([r.segment in segs for r in regs]))

    return DrawingFeatures(
        dermatome_scores=scores,
        dermatome_match=match,
        dermatome_share=share,
        lumbar_sides=_sides(painful, lumbar_sel),
        midline_lumbar=midline_lumbar,
        lumbar_levels=levels,
        sij_sides=areas["sij"],
        buttock_sides=areas["buttock"],
        groin_sides=by_segment("groin"),
        hip_sides=by_segment("hip"),
        thigh_sides=by_segment("thigh"),
        knee_sides=by_segment("knee"),
        below_knee_sides=_sides(painful, s.below_knee > 0),
        foot_sides=by_segment("ankle_foot"),
        areas=areas,
        whole_leg_sides=whole,
        neuropathic_leg_sides=[x for x in _SIDE_ORDER if x in neuro],
        qualities=sorted(all_q, key=lambda q: list(Quality).index(q)),
        leg_dominant=leg_w > back_w,
        back_max_intensity=float(back_i.max()) if back_i.size else 0.0,
        leg_max_intensity=float(leg_i.max()) if leg_i.size else 0.0,
        quebec=m.quebec,
        wpi=m.wpi,
        wpi_regions_generalized=m.wpi_regions_generalized,
        generalized_pain=m.generalized_pain,
        extent_fraction=m.extent_fraction,
        laterality=m.laterality,
        distality=m.distality,
    )


def features(drawing: Drawing) -> DrawingFeatures:
    """Clinical features of a pain drawing, for the pain-generator ranking.

    Parameters
    ----------
    drawing : Drawing
        A validated drawing (marks and/or strokes).

    Returns
    -------
    DrawingFeatures
        Documented in :class:`DrawingFeatures`.
    """
    return features_from_state(region_state(drawing))
