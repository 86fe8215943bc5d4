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
- ``dermatomes``: for each root, the Dice match between the painted skin and its textbook
  territory, ``2 sum(c_r d_rk a_r) / (sum over mapped regions of c_r a_r + sum(d_rk a_r))``
  (see :func:`~painmap.bodymap.schemes.dermatome_dice`), ranked; roots scoring 0 are left
  out.
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
from painmap.bodymap.schemes import (
    DISTAL_SEGMENT_NAMES,
    PAINFUL_COVERAGE,
    dermatome_dice,
    schemes,
)
from painmap.bodymap.state import RegionState, region_state
from painmap.core.enums import Root

Laterality = Literal["none", "midline", "left", "right", "bilateral"]


class DermatomeScore(BaseModel):
    """Dice match (0-1) between the painted skin and one root's textbook territory."""

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
    dermatomes: list[DermatomeScore] = Field(
        description="Roots with a Dice match > 0 between painted skin and territory, ranked.")
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
    derm = dermatome_dice(c)
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
    ``dermatomes`` (n x 7 Dice matches, L1..S2) and ``distality`` (-1 = null).
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


def _acr_of_region() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per region: WPI site index and ACR generalised-region index (-1 when none)."""
    sc = schemes()
    site = np.where(sc.wpi.any(axis=1), sc.wpi.argmax(axis=1), -1)
    acr_of_site = np.where(sc.acr.any(axis=1), sc.acr.argmax(axis=1), -1)
    acr = np.where(site >= 0, acr_of_site[np.maximum(site, 0)], -1)
    return site.astype(np.int64), acr.astype(np.int64)


def _row_max(values: NDArray[np.float64], indptr: NDArray[np.int64], empty: float
             ) -> NDArray[np.float64]:
    n = indptr.shape[0] - 1
    out = np.full(n, empty)
    has = np.diff(indptr) > 0
    if values.size:
        out[has] = np.maximum.reduceat(values, indptr[:-1][has])
    return out


def _gather(m: sp.csr_matrix | NDArray[np.float64], rows: NDArray[np.int64],
            cols: NDArray[np.int64]) -> NDArray[np.float64]:
    if sp.issparse(m):
        return np.asarray(sp.csr_matrix(m)[rows, cols]).ravel().astype(np.float64)
    return np.asarray(m, dtype=np.float64)[rows, cols]


def metrics_batch(
    intensity: sp.csr_matrix | NDArray[np.float64],
    coverage: sp.csr_matrix | NDArray[np.float64] | None = None,
    weighted: sp.csr_matrix | NDArray[np.float64] | None = None,
) -> BatchMetrics:
    """Vectorised metrics of many drawings through the region x scheme matrices.

    All work is O(non-zeros): per non-zero region entry, the region's scheme columns are
    looked up and accumulated per drawing with ``bincount``; dermatome scores are one
    sparse x dense product with the region x root matrix.

    Parameters
    ----------
    intensity : sparse or dense (n, R)
        Highest intensity per drawing and region (0 = no pain). For region-only drawings
        this is all that is needed (see :func:`marks_matrix`).
    coverage : sparse or dense (n, R), optional
        Painted share per region (freehand drawings); defaults to 1 where ``intensity > 0``.
    weighted : sparse or dense (n, R), optional
        Intensity-weighted coverage; defaults to ``intensity`` where covered.

    Returns
    -------
    BatchMetrics
    """
    s = schemes()
    n_reg = len(REGION_IDS)
    if coverage is None:
        inten = sp.csr_matrix(intensity)
        inten.sum_duplicates()
        keep = inten.data > 0
        n_rows = inten.shape[0]
        all_rows = np.repeat(np.arange(n_rows), np.diff(inten.indptr))
        kept = np.bincount(all_rows[keep], minlength=n_rows)
        indptr = np.concatenate([[0], np.cumsum(kept)])
        cols = inten.indices[keep].astype(np.int64)
        ival = inten.data[keep].astype(np.float64)
        cval = np.ones_like(ival)
        wval = ival
    else:
        cov = sp.csr_matrix(coverage)
        cov.sum_duplicates()
        cov.data = np.where(cov.data > 0, cov.data, 0.0)
        cov.eliminate_zeros()
        indptr = cov.indptr
        cols = cov.indices.astype(np.int64)
        cval = cov.data.astype(np.float64)
        row_tmp = np.repeat(np.arange(cov.shape[0]), np.diff(indptr))
        ival = _gather(intensity, row_tmp, cols)
        wval = ival if weighted is None else _gather(weighted, row_tmp, cols)
    n = len(indptr) - 1
    indptr = np.asarray(indptr, dtype=np.int64)
    row = np.repeat(np.arange(n), np.diff(indptr))
    pain = cval >= PAINFUL_COVERAGE
    prow, pcol = row[pain], cols[pain]
    extent = np.bincount(row, weights=cval * s.area[cols], minlength=n).astype(np.float64)
    iwe = np.bincount(row, weights=wval * s.area[cols], minlength=n) / 10.0
    count = np.bincount(prow, minlength=n).astype(np.int64)
    site_of, acr_of = _acr_of_region()
    ps = site_of[pcol]
    sk = prow[ps >= 0] * 19 + ps[ps >= 0]
    wpi = (np.bincount(sk, minlength=n * 19).reshape(n, 19) > 0).sum(axis=1)
    pa = acr_of[pcol]
    ak_ = prow[pa >= 0] * 5 + pa[pa >= 0]
    gen = (np.bincount(ak_, minlength=n * 5).reshape(n, 5) > 0).sum(axis=1)
    bk = np.bincount(prow, weights=s.below_knee[pcol], minlength=n) > 0
    ak = np.bincount(prow, weights=s.above_knee_limb[pcol], minlength=n) > 0
    lb = np.bincount(prow, weights=s.low_back[pcol], minlength=n) > 0
    quebec = np.where(bk, 3, np.where(ak, 2, np.where(lb, 1, 0))).astype(np.int64)
    left = np.bincount(prow, weights=(s.left * s.area)[pcol], minlength=n)
    right = np.bincount(prow, weights=(s.right * s.area)[pcol], minlength=n)
    tot = left + right
    with np.errstate(invalid="ignore", divide="ignore"):
        lat = np.where(tot > 0, (right - left) / tot, np.nan)
    cmat = sp.csr_matrix((cval, cols, indptr), shape=(n, n_reg))
    inter = np.asarray(cmat @ s.dermatome_area)
    painted_mapped = np.asarray(cmat @ s.mapped_area).ravel()
    derm = 2.0 * inter / (painted_mapped[:, None] + s.dermatome_area.sum(axis=0))
    pptr = np.concatenate([[0], np.cumsum(count)])
    maxi = _row_max(ival[pain], pptr, 0.0)
    dist = _row_max(s.distality[pcol].astype(np.float64), pptr, -1.0).astype(np.int64)
    return BatchMetrics(
        extent_fraction=extent,
        intensity_weighted_extent=iwe,
        region_count=count,
        max_intensity=maxi,
        wpi=wpi.astype(np.int64),
        wpi_regions_generalized=gen.astype(np.int64),
        quebec=quebec,
        laterality_index=lat,
        dermatomes=derm,
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
