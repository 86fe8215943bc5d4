"""Region x scheme matrices: every scoring scheme as columns over the region table.

A drawing reduced to a per-region coverage vector ``c`` (0-1) is scored under any scheme
by a matrix product, so a million drawings are scored at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from painmap.bodymap.regions import ACR_REGIONS, DERMATOME_ROOTS, WPI_SITES, regions
from painmap.core.enums import Side

#: A region counts as painful when marked (intensity > 0) or when strokes cover at
#: least this share of its pixels.
PAINFUL_COVERAGE = 0.1

#: Lower-limb segments above the knee: pain there is Quebec class 2 (proximal radiation).
ABOVE_KNEE_SEGMENTS = frozenset({"hip", "groin", "thigh", "knee"})

#: Segment names of the lower-limb chain, by distality (0 = lumbar ... 5 = ankle/foot).
DISTAL_SEGMENT_NAMES: tuple[str, ...] = (
    "lumbar", "pelvis_buttock", "hip_groin_thigh", "knee", "leg", "ankle_foot",
)

Float = NDArray[np.float64]


@dataclass(frozen=True)
class Schemes:
    """Dense region x scheme matrices (rows follow :data:`REGION_IDS`).

    Attributes
    ----------
    area : (R,) body-surface fraction per region.
    left, right, midline : (R,) 0/1 side indicators.
    wpi : (R, 19) membership in each ACR 2016 WPI site (:data:`WPI_SITES` order).
    acr : (19, 5) WPI site x ACR generalised-pain region (jaw, chest, abdomen excluded).
    dermatome : (R, 7) dermatome share per root L1-S2.
    dermatome_area : (R, 7) ``dermatome * area`` (column sums = textbook territory size).
    mapped_area : (R,) ``area`` where the region has any dermatome weight, else 0.
    below_knee, above_knee_limb, low_back : (R,) 0/1 indicators.
    distality : (R,) int, -1 off the lower-limb chain.
    """

    area: Float
    left: Float
    right: Float
    midline: Float
    wpi: Float
    acr: Float
    dermatome: Float
    dermatome_area: Float
    mapped_area: Float
    below_knee: Float
    above_knee_limb: Float
    low_back: Float
    distality: NDArray[np.int64]


def dermatome_dice(coverage: NDArray[np.float64]) -> NDArray[np.float64]:
    """Dice match between painted skin and each root's territory (L1-S2), 0-1.

    ``2 |P & D_k| / (|P| + |D_k|)`` with areas weighted by body-surface share, ``P`` the
    painted skin of dermatome-mapped regions and ``D_k`` root ``k``'s weighted territory.
    High only when the pain covers much of the territory *and* lies mostly inside it, so
    neither small nor large territories are favoured.

    Parameters
    ----------
    coverage : ndarray, shape (R,) or (n, R)
        Painted share per region.

    Returns
    -------
    ndarray, shape (7,) or (n, 7)
    """
    s = schemes()
    inter = coverage @ s.dermatome_area
    painted = coverage @ s.mapped_area
    terr = s.dermatome_area.sum(axis=0)
    out: NDArray[np.float64] = 2.0 * inter / (np.asarray(painted)[..., None] + terr)
    return out


@cache
def schemes() -> Schemes:
    """The scheme matrices of the chart (built once)."""
    regs = regions()
    n = len(regs)
    area = np.array([r.area_fraction for r in regs])
    side = [r.side for r in regs]
    wpi = np.zeros((n, len(WPI_SITES)))
    site_index = {s: i for i, s in enumerate(WPI_SITES)}
    derm = np.zeros((n, len(DERMATOME_ROOTS)))
    for i, r in enumerate(regs):
        if r.wpi19 is not None:
            wpi[i, site_index[r.wpi19]] = 1.0
        for j, root in enumerate(DERMATOME_ROOTS):
            derm[i, j] = r.dermatomes.get(root, 0.0)
    acr = np.zeros((len(WPI_SITES), len(ACR_REGIONS)))
    for j, sites in enumerate(ACR_REGIONS.values()):
        for s in sites:
            acr[site_index[s], j] = 1.0
    return Schemes(
        area=area,
        left=np.array([float(s == Side.LEFT) for s in side]),
        right=np.array([float(s == Side.RIGHT) for s in side]),
        midline=np.array([float(s == Side.MIDLINE) for s in side]),
        wpi=wpi,
        acr=acr,
        dermatome=derm,
        dermatome_area=derm * area[:, None],
        mapped_area=area * (derm.sum(axis=1) > 0),
        below_knee=np.array([float(r.below_knee) for r in regs]),
        above_knee_limb=np.array([float(r.segment in ABOVE_KNEE_SEGMENTS) for r in regs]),
        low_back=np.array([float(r.low_back) for r in regs]),
        distality=np.array([-1 if r.distality is None else r.distality for r in regs],
                           dtype=np.int64),
    )
