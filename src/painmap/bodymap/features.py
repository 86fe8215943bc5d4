"""Drawing features a spine clinician reads from a pain drawing (evidence for ranking).

:func:`features` turns a drawing into named, documented facts: which sides hurt in the
lumbar area (and whether in the midline), the buttock, over the SIJ, the groin, the hip,
the thigh, below the knee and in the foot; per-root and per-side dermatome scores; the
Quebec class; widespread-pain counts; and pain descriptors in the leg. The pain-generator
ranking uses them as evidence; none of them is a diagnosis on its own (most radicular pain
is non-dermatomal, Murphy 2009).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray
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
_QUALITY_ORDER = {q: k for k, q in enumerate(Quality)}


def _stem(region_id: str) -> str:
    body = region_id[2:]
    return body[:-2] if body.endswith(("_l", "_r")) else body


@dataclass(frozen=True)
class _Layout:
    """Per-region constants of the chart, computed once (they never change)."""

    side_hot: NDArray[np.float64]  # (R, 3) one-hot over _SIDE_ORDER
    selections: NDArray[np.float64]  # (S, R) 1 where a named selection contains the region
    names: tuple[str, ...]  # (S,) selection names (areas, then the others)
    lumbar_rows: NDArray[np.bool_]  # (R,)
    lumbar_midline: NDArray[np.bool_]  # (R,)
    level_of: tuple[str, ...]  # (R,) lumbar row (L1..L5) of each lumbar region, else ""
    wside: dict[str, NDArray[np.float64]]  # side -> (R,) weight (midline counts half)
    den: dict[str, NDArray[np.float64]]  # side -> (K,) weighted territory area per root
    limb_side: dict[str, NDArray[np.bool_]]  # side -> (R,) lower-limb regions of that side
    limb: NDArray[np.bool_]  # (R,)
    low_back_area: NDArray[np.float64]  # (R,) area where low back, else 0
    limb_area: NDArray[np.float64]  # (R,) area where lower limb, else 0
    low_back: NDArray[np.bool_]  # (R,)
    region_side: tuple[Side, ...]  # (R,)


_SEGMENT_SELECTIONS = {
    "groin_sides": ("groin",),
    "hip_sides": ("hip",),
    "thigh_sides": ("thigh",),
    "knee_sides": ("knee",),
    "foot_sides": ("ankle_foot",),
}


@cache
def _layout() -> _Layout:
    regs = regions()
    s = schemes()
    stems = [_stem(r.id) for r in regs]
    side = np.array([r.side.value for r in regs])
    rows: list[NDArray[np.bool_]] = []
    names: list[str] = []
    for name, prefixes in AREA_STEMS.items():
        names.append(name)
        rows.append(np.array([st.startswith(prefixes) for st in stems]))
    lumbar_rows = np.array([st.startswith("lumbar_") for st in stems])
    names.append("lumbar_sides")
    rows.append(lumbar_rows | np.array([st.startswith("flank_") for st in stems]))
    for name, segs in _SEGMENT_SELECTIONS.items():
        names.append(name)
        rows.append(np.array([r.segment in segs for r in regs]))
    names.append("below_knee_sides")
    rows.append(s.below_knee > 0)
    limb = s.distality >= 2
    low_back = s.low_back > 0
    wside = {
        sd: (side == sd).astype(float) + 0.5 * (side == "midline") for sd in ("left", "right")
    }
    out = _Layout(
        side_hot=np.stack([side == x.value for x in _SIDE_ORDER], axis=1).astype(float),
        selections=np.array(rows, dtype=float),
        names=tuple(names),
        lumbar_rows=lumbar_rows,
        lumbar_midline=lumbar_rows & (side == "midline"),
        level_of=tuple(st[7:9].upper() if lumbar_rows[i] else "" for i, st in enumerate(stems)),
        wside=wside,
        den={sd: w @ s.dermatome_area for sd, w in wside.items()},
        limb_side={sd: limb & (side == sd) for sd in ("left", "right")},
        limb=limb,
        low_back_area=np.where(low_back, s.area, 0.0),
        limb_area=np.where(limb, s.area, 0.0),
        low_back=low_back,
        region_side=tuple(r.side for r in regs),
    )
    for arr in (out.side_hot, out.selections, out.lumbar_rows, out.lumbar_midline):
        arr.setflags(write=False)
    return out


def _sided(lay: _Layout, painful: NDArray[np.bool_]) -> dict[str, list[Side]]:
    """Sides hit by every named selection at once: (S, R) @ (R, 3)."""
    hits = (lay.selections @ (painful[:, None] * lay.side_hot)) > 0
    return {
        name: [x for x, on in zip(_SIDE_ORDER, row, strict=True) if on]
        for name, row in zip(lay.names, hits.tolist(), strict=True)
    }


_PerRootSide = dict[Root, dict[LimbSide, float]]


def _dermatomes(
    lay: _Layout, c: NDArray[np.float64], with_match: bool = True
) -> tuple[_PerRootSide, _PerRootSide, _PerRootSide]:
    """Per root and side: dermatome scores, Dice matches (if asked) and leg shares."""
    s = schemes()
    scores: dict[Root, dict[LimbSide, float]] = {}
    match: dict[Root, dict[LimbSide, float]] = {}
    share: dict[Root, dict[LimbSide, float]] = {}
    sd: LimbSide
    for sd in ("left", "right"):
        wside = lay.wside[sd]
        cw = c * wside
        num = (cw @ s.dermatome_area).tolist()
        den = lay.den[sd].tolist()
        c_limb = c * lay.limb_side[sd]
        limb_area = float(c_limb @ s.area)
        limb_num = (c_limb @ s.dermatome_area).tolist()
        painted_mapped = float(cw @ s.mapped_area) if with_match else 0.0
        for k, root in enumerate(DERMATOME_ROOTS):
            scores.setdefault(root, {})[sd] = round(num[k] / den[k], 6)
            if with_match:
                match.setdefault(root, {})[sd] = round(
                    2 * num[k] / (painted_mapped + den[k]), 6
                )
            share.setdefault(root, {})[sd] = round(limb_num[k] / limb_area, 6) \
                if limb_area > 0 else 0.0
    return scores, match, share


@dataclass(frozen=True)
class RankingFeatures:
    """The drawing features the pain-generator ranking reads, without the metrics.

    Equal to the same fields of :func:`features` (computed by the same code), for callers
    that need only these.

    Attributes
    ----------
    any_pain : bool
        The drawing has any mark or stroke.
    midline_lumbar : bool
        As ``DrawingFeatures.midline_lumbar``.
    sides : dict of str to list of Side
        Sides per named selection: every area of :data:`AREA_STEMS` plus
        ``lumbar_sides``, ``groin_sides``, ``hip_sides``, ``thigh_sides``,
        ``knee_sides``, ``foot_sides`` and ``below_knee_sides``.
    dermatome_scores, dermatome_share : dict of Root to dict of side to float
        As in ``DrawingFeatures``.
    """

    any_pain: bool
    midline_lumbar: bool
    sides: dict[str, list[Side]]
    dermatome_scores: dict[Root, dict[LimbSide, float]]
    dermatome_share: dict[Root, dict[LimbSide, float]]


def ranking_features(drawing: Drawing) -> RankingFeatures:
    """The features of :func:`features` that the pain-generator ranking reads.

    Parameters
    ----------
    drawing : Drawing
        A validated drawing (marks and/or strokes).

    Returns
    -------
    RankingFeatures
        Sides per named selection, midline lumbar pain and per-root dermatome scores
        and leg shares (no metrics, no Dice matches, no validation of a full model).
    """
    state = region_state(drawing)
    lay = _layout()
    painful = state.painful
    scores, _, share = _dermatomes(lay, state.coverage, with_match=False)
    return RankingFeatures(
        any_pain=bool(drawing.marks or drawing.strokes),
        midline_lumbar=bool((painful & lay.lumbar_midline).any()),
        sides=_sided(lay, painful),
        dermatome_scores=scores,
        dermatome_share=share,
    )


def features_from_state(state: RegionState, m: DrawingMetrics | None = None
                        ) -> DrawingFeatures:
    """Features of one drawing from its per-region state (see :func:`features`)."""
    lay = _layout()
    m = m if m is not None else metrics_from_state(state)
    c = state.coverage
    painful = state.painful
    sided = _sided(lay, painful)
    areas = {name: sided[name] for name in AREA_STEMS}
    midline_lumbar = bool((painful & lay.lumbar_midline).any())
    levels = sorted({lay.level_of[i] for i in np.flatnonzero(painful & lay.lumbar_rows)})
    scores, match, share = _dermatomes(lay, c)
    whole: list[Side] = []
    faces = ("thigh_anterior", "thigh_lateral", "thigh_medial", "thigh_posterior",
             "leg_anterior", "leg_lateral", "leg_medial", "calf")
    for sd in (Side.LEFT, Side.RIGHT):
        if all(sd in areas[f] for f in faces):
            whole.append(sd)
    neuro: set[Side] = set()
    all_q: set[Quality] = set()
    limb = lay.limb
    for idx, qs in state.qualities.items():
        all_q |= qs
        if limb[idx] and qs & NEUROPATHIC_QUALITIES and painful[idx]:
            neuro.add(lay.region_side[idx])
    back_w = float(state.weighted @ lay.low_back_area)
    leg_w = float(state.weighted @ lay.limb_area)
    back_i = state.intensity[painful & lay.low_back]
    leg_i = state.intensity[painful & limb]

    return DrawingFeatures(
        dermatome_scores=scores,
        dermatome_match=match,
        dermatome_share=share,
        lumbar_sides=sided["lumbar_sides"],
        midline_lumbar=midline_lumbar,
        lumbar_levels=levels,
        sij_sides=areas["sij"],
        buttock_sides=areas["buttock"],
        groin_sides=sided["groin_sides"],
        hip_sides=sided["hip_sides"],
        thigh_sides=sided["thigh_sides"],
        knee_sides=sided["knee_sides"],
        below_knee_sides=sided["below_knee_sides"],
        foot_sides=sided["foot_sides"],
        areas=areas,
        whole_leg_sides=whole,
        neuropathic_leg_sides=[x for x in _SIDE_ORDER if x in neuro],
        qualities=sorted(all_q, key=_QUALITY_ORDER.__getitem__),
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
