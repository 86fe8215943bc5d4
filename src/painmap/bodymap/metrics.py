"""Pain-drawing metrics: extent, WPI, Quebec class, laterality, dermatome ranking.

Definitions (see docs/bodymap.md):

- ``extent_fraction``: painful share of the whole body surface, ``sum(c_r * a_r)`` with
  ``c_r`` the painted share of region ``r`` and ``a_r`` its ``area_fraction``.
- ``intensity_weighted_extent``: ``sum(w_r * a_r) / 10`` with ``w_r`` the region's
  intensity-weighted coverage; 1 means the whole body at 10/10.
- A region is *painful* when marked with intensity > 0 or painted over at least
  :data:`~painmap.bodymap.schemes.PAINFUL_COVERAGE` of its area.
- ``wpi``: number of ACR 2016 WPI sites (0-19) holding a painful region.
- ``wpi_regions_generalized``: how many of the 5 ACR regions hold a painful site other
  than jaw, chest and abdomen; ``generalized_pain`` is that count >= 4.
- ``quebec``: 3 when pain lies below the knee, else 2 when in the hip, groin, thigh or knee,
  else 1 when in the consensus low-back area; null without back or leg pain.
- ``dermatomes``: for each root, the painted share of its textbook territory,
  ``sum(c_r * d_rk * a_r) / sum(d_rk * a_r)``, ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from painmap.bodymap.drawing import Drawing
from painmap.bodymap.regions import ACR_REGIONS, DERMATOME_ROOTS, REGION_IDS, WPI_SITES
from painmap.bodymap.schemes import DISTAL_SEGMENT_NAMES, PAINFUL_COVERAGE, schemes
from painmap.bodymap.state import RegionState, region_state
from painmap.core.enums import Root

Laterality = Literal["none", "midline", "left", "right", "bilateral"]


class DermatomeScore(BaseModel):
    """Painted share (0-1) of one root's textbook territory."""

    model_config = ConfigDict(frozen=True)

    root: Root
    score: float


class DrawingMetrics(BaseModel):
    """Metrics of one pain drawing (printed by ``painmap bodymap metrics``)."""

    model_config = ConfigDict(frozen=True)

    extent_fraction: float = Field(description="Painful share of the body surface (0-1).")
    intensity_weighted_extent: float = Field(
        description="Sum over regions of area x painted intensity / 10 (0-1).")
    region_count: int = Field(description="Number of painful regions.")
    max_intensity: float = Field(description="Highest intensity drawn (0-10).")
    wpi: int = Field(description="ACR 2016 Widespread Pain Index (0-19).")
    wpi_sites: list[str] = Field(description="Painful WPI sites.")
    wpi_regions_generalized: int = Field(
        description="ACR regions (0-5) with pain, jaw/chest/abdomen not counted.")
    wpi_regions: list[str] = Field(description="Those ACR regions.")
    generalized_pain: bool = Field(description="Pain in at least 4 of the 5 ACR regions.")
    quebec: int | None = Field(description="Quebec Task Force class 1, 2 or 3 (or null).")
    laterality: Laterality
    laterality_index: float | None = Field(
        description="(right - left) / (right + left) painful area; null without sided pain.")
    dermatomes: list[DermatomeScore] = Field(description="Roots with a score > 0, ranked.")
    distal_segment: str | None = Field(
        description="Most distal painful segment of the lower-limb chain.")
    distality: int | None = Field(description="Its rank, 0 lumbar ... 5 ankle/foot.")
    region_fractions: dict[str, float] = Field(
        description="Painted share of every region with any pain (marks count as 1).")
    region_intensity: dict[str, float] = Field(
        description="Highest intensity in every region with any pain.")


def _laterality(left: float, right: float, midline: float) -> Laterality:
    if left > 0 and right > 0:
        return "bilateral"
    if left > 0:
        return "left"
    if right > 0:
        return "right"
    return "midline" if midline > 0 else "none"


def metrics_from_state(state: RegionState) -> DrawingMetrics:
    """Metrics of one drawing from its per-region state.

    Parameters
    ----------
    state : RegionState
        From :func:`~painmap.bodymap.state.region_state`.

    Returns
    -------
    DrawingMetrics
    """
    s = schemes()
    c = state.coverage
    p = (c >= PAINFUL_COVERAGE).astype(float)
    site = (p @ s.wpi) > 0
    acr = (site.astype(float) @ s.acr) > 0
    derm = (c @ s.dermatome_area) / s.dermatome_area.sum(axis=0)
    ranked = sorted(
        (DermatomeScore(root=r, score=round(float(v), 6))
         for r, v in zip(DERMATOME_ROOTS, derm, strict=True) if v > 0),
        key=lambda d: -d.score,
    )
    left = float(p @ (s.left * s.area))
    right = float(p @ (s.right * s.area))
    mid = float(p @ s.midline)
    quebec: int | None = None
    if p @ s.below_knee > 0:
        quebec = 3
    elif p @ s.above_knee_limb > 0:
        quebec = 2
    elif p @ s.low_back > 0:
        quebec = 1
    dist = s.distality[p > 0]
    dist = dist[dist >= 0]
    distality = int(dist.max()) if dist.size else None
    nz = np.flatnonzero(c > 0)
    return DrawingMetrics(
        extent_fraction=round(float(c @ s.area), 6),
        intensity_weighted_extent=round(float(state.weighted @ s.area) / 10.0, 6),
        region_count=int(p.sum()),
        max_intensity=float(state.intensity[p > 0].max()) if p.any() else 0.0,
        wpi=int(site.sum()),
        wpi_sites=[WPI_SITES[i] for i in np.flatnonzero(site)],
        wpi_regions_generalized=int(acr.sum()),
        wpi_regions=[name for name, hit in zip(ACR_REGIONS, acr, strict=True) if hit],
        generalized_pain=bool(acr.sum() >= 4),
        quebec=quebec,
        laterality=_laterality(left, right, mid),
        laterality_index=round((right - left) / (right + left), 6) if left + right > 0
        else None,
        dermatomes=ranked,
        distal_segment=DISTAL_SEGMENT_NAMES[distality] if distality is not None else None,
        distality=distality,
        region_fractions={REGION_IDS[i]: round(float(c[i]), 6) for i in nz},
        region_intensity={REGION_IDS[i]: float(state.intensity[i]) for i in nz},
    )


def compute_metrics(drawing: Drawing) -> DrawingMetrics:
    """Metrics of one pain drawing (region marks and freehand strokes).

    Parameters
    ----------
    drawing : Drawing
        A validated drawing (every ``Drawing`` is validated when built).

    Returns
    -------
    DrawingMetrics
        See the module docstring for the definitions.
    """
    return metrics_from_state(region_state(drawing))


# --------------------------------------------------------------------------- batch


@dataclass(frozen=True)
class BatchMetrics:
    """Metrics of many drawings as arrays (one row per drawing).

    Attributes mirror :class:`DrawingMetrics`: ``extent_fraction``,
    ``intensity_weighted_extent``, ``region_count``, ``max_intensity``, ``wpi``,
    ``wpi_regions_generalized``, ``quebec`` (0 = null), ``laterality_index`` (NaN = null),
    ``dermatomes`` (n x 7, L1..S2) and ``distality`` (-1 = null).
    """

    extent_fraction: NDArray[np.float64]
    intensity_weighted_extent: NDArray[np.float64]
    region_count: NDArray[np.int64]
    max_intensity: NDArray[np.float64]
    wpi: NDArray[np.int64]
    wpi_regions_generalized: NDArray[np.int64]
    quebec: NDArray[np.int64]
    laterality_index: NDArray[np.float64]
    dermatomes: NDArray[np.float64]
    distality: NDArray[np.int64]


def marks_matrix(rows: list[dict[str, float]]) -> sp.csr_matrix:
    """Region-only drawings as a sparse drawings x regions intensity matrix.

    Parameters
    ----------
    rows : list of dict
        One ``{region_id: intensity}`` mapping per drawing.

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    from painmap.bodymap.regions import REGION_INDEX

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        for rid, val in row.items():
            indices.append(REGION_INDEX[rid])
            data.append(val)
        indptr.append(len(indices))
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), len(REGION_IDS)))


def metrics_batch(
    intensity: sp.csr_matrix | NDArray[np.float64],
    coverage: sp.csr_matrix | NDArray[np.float64] | None = None,
    weighted: sp.csr_matrix | NDArray[np.float64] | None = None,
) -> BatchMetrics:
    """Vectorised metrics of many drawings through the region x scheme matrices.

    Parameters
    ----------
    intensity : sparse or dense (n, R)
        Highest intensity per drawing and region (0 = no pain). For region-only drawings
        this is all that is needed (see :func:`marks_matrix`).
    coverage : sparse or dense (n, R), optional
        Painted share per region (freehand drawings); defaults to ``intensity > 0``.
    weighted : sparse or dense (n, R), optional
        Intensity-weighted coverage; defaults to ``intensity`` where covered.

    Returns
    -------
    BatchMetrics
    """
    s = schemes()
    inten = sp.csr_matrix(intensity)
    inten.eliminate_zeros()
    if coverage is None:
        cov = inten.copy()
        cov.data = np.ones_like(cov.data)
    else:
        cov = sp.csr_matrix(coverage)
    w = inten if weighted is None else sp.csr_matrix(weighted)
    painful = cov.copy()
    painful.data = (painful.data >= PAINFUL_COVERAGE).astype(np.float64)
    painful.eliminate_zeros()
    n = inten.shape[0]
    extent = cov @ s.area
    iwe = (w @ s.area) / 10.0
    count = np.diff(painful.indptr).astype(np.int64)
    site = (painful @ s.wpi) > 0
    wpi = site.sum(axis=1).astype(np.int64)
    gen = ((site.astype(np.float64) @ s.acr) > 0).sum(axis=1).astype(np.int64)
    bk = (painful @ s.below_knee) > 0
    ak = (painful @ s.above_knee_limb) > 0
    lb = (painful @ s.low_back) > 0
    quebec = np.where(bk, 3, np.where(ak, 2, np.where(lb, 1, 0))).astype(np.int64)
    left = painful @ (s.left * s.area)
    right = painful @ (s.right * s.area)
    tot = left + right
    with np.errstate(invalid="ignore", divide="ignore"):
        lat = np.where(tot > 0, (right - left) / tot, np.nan)
    derm = (cov @ s.dermatome_area) / s.dermatome_area.sum(axis=0)
    mask_painful = painful.astype(bool)
    pi = inten.multiply(mask_painful).tocsr()
    maxi = np.asarray(pi.max(axis=1).todense()).ravel() if n else np.zeros(0)
    # distality: max over painful regions of (distality + 1), minus 1
    dmat = painful.multiply((s.distality + 1)[None, :].astype(np.float64)).tocsr()
    dist = (np.asarray(dmat.max(axis=1).todense()).ravel() - 1).astype(np.int64) if n \
        else np.zeros(0, dtype=np.int64)
    return BatchMetrics(
        extent_fraction=np.asarray(extent).ravel(),
        intensity_weighted_extent=np.asarray(iwe).ravel(),
        region_count=count,
        max_intensity=maxi.astype(np.float64),
        wpi=np.asarray(wpi).ravel(),
        wpi_regions_generalized=np.asarray(gen).ravel(),
        quebec=quebec,
        laterality_index=lat,
        dermatomes=np.asarray(derm),
        distality=dist,
    )


def painful_mask(coverage: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Boolean painful mask from a coverage vector or matrix."""
    return np.asarray(coverage) >= PAINFUL_COVERAGE


__all__ = [
    "BatchMetrics",
    "DermatomeScore",
    "DrawingMetrics",
    "compute_metrics",
    "marks_matrix",
    "metrics_batch",
    "metrics_from_state",
    "painful_mask",
]
