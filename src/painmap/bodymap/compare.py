"""Compare two drawings of one patient: overlap, extent change, centralisation."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from painmap.bodymap.drawing import Drawing
from painmap.bodymap.metrics import compute_metrics
from painmap.bodymap.pixels import DrawingBatch, painted, pixel_weights
from painmap.bodymap.regions import regions
from painmap.bodymap.schemes import DISTAL_SEGMENT_NAMES
from painmap.bodymap.state import region_state

Direction = Literal["centralised", "peripheralised", "unchanged", "resolved", "new", "none"]


class SideChange(BaseModel):
    """Most distal painful segment of one side's lower-limb chain, before and after."""

    model_config = ConfigDict(frozen=True)

    before: str | None
    after: str | None
    direction: Direction


class DrawingComparison(BaseModel):
    """Change from drawing A (before) to drawing B (after)."""

    model_config = ConfigDict(frozen=True)

    jaccard: float = Field(description="Area-weighted overlap of painted skin, 0-1.")
    extent_before: float
    extent_after: float
    extent_change: float = Field(description="extent_after - extent_before (body share).")
    intensity_weighted_extent_change: float
    max_intensity_change: float
    wpi_change: int
    distal_before: str | None = Field(description="Most distal painful lower-limb segment.")
    distal_after: str | None
    direction: Direction = Field(
        description="centralised: the most distal painful segment moved towards the spine; "
        "peripheralised: it moved away; resolved/new: pain on the chain disappeared/appeared.")
    sides: dict[str, SideChange]
    regions_added: list[str]
    regions_removed: list[str]


def _direction(a: int | None, b: int | None) -> Direction:
    if a is None and b is None:
        return "none"
    if a is None:
        return "new"
    if b is None:
        return "resolved"
    if b < a:
        return "centralised"
    if b > a:
        return "peripheralised"
    return "unchanged"


def _side_distality(painful: np.ndarray) -> dict[str, int | None]:
    regs = regions()
    out: dict[str, int | None] = {}
    for side in ("left", "right"):
        vals = [r.distality for i, r in enumerate(regs)
                if painful[i] and r.distality is not None and r.side.value in (side, "midline")]
        out[side] = max(vals) if vals else None
    return out


def _name(d: int | None) -> str | None:
    return DISTAL_SEGMENT_NAMES[d] if d is not None else None


def compare(a: Drawing, b: Drawing) -> DrawingComparison:
    """Compare drawing ``a`` (before) with drawing ``b`` (after).

    Parameters
    ----------
    a, b : Drawing
        Two drawings of the same patient.

    Returns
    -------
    DrawingComparison
        Jaccard overlap of the painted skin (pixels weighted by body-surface share), the
        change in extent, and centralisation / peripheralisation of the most distal
        painful segment along the lower-limb chain (lumbar, buttock, thigh, knee, leg,
        ankle/foot), overall and per side.
    """
    hits = painted(DrawingBatch.from_drawings([a, b]))
    w = pixel_weights()
    pa = set(hits.body[hits.drawing == 0].tolist())
    pb = set(hits.body[hits.drawing == 1].tolist())
    inter = np.fromiter(pa & pb, dtype=np.int64)
    union = np.fromiter(pa | pb, dtype=np.int64)
    union_w = float(w[union].sum())
    jac = float(w[inter].sum()) / union_w if union_w > 0 else 1.0
    sa, sb = region_state(a), region_state(b)
    ma, mb = compute_metrics(a), compute_metrics(b)
    da, db = _side_distality(sa.painful), _side_distality(sb.painful)
    sides = {s: SideChange(before=_name(da[s]), after=_name(db[s]),
                           direction=_direction(da[s], db[s])) for s in ("left", "right")}
    ids_a = set(ma.region_fractions)
    ids_b = set(mb.region_fractions)
    return DrawingComparison(
        jaccard=round(jac, 6),
        extent_before=ma.extent_fraction,
        extent_after=mb.extent_fraction,
        extent_change=round(mb.extent_fraction - ma.extent_fraction, 6),
        intensity_weighted_extent_change=round(
            mb.intensity_weighted_extent - ma.intensity_weighted_extent, 6),
        max_intensity_change=mb.max_intensity - ma.max_intensity,
        wpi_change=mb.wpi - ma.wpi,
        distal_before=ma.distal_segment,
        distal_after=mb.distal_segment,
        direction=_direction(ma.distality, mb.distality),
        sides=sides,
        regions_added=sorted(ids_b - ids_a),
        regions_removed=sorted(ids_a - ids_b),
    )
