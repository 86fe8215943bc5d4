"""Straightforward pure-Python reference implementations (oracles and benchmark baselines).

They follow the definitions literally, pixel by pixel and region by region, without numpy
vectorisation. Tests check the fast paths against them; ``benchmarks/bench_bodymap.py``
times them on a subsample.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from painmap.bodymap.raster import RASTER_STEP, VIEW_CODE, label_image
from painmap.bodymap.regions import ACR_REGIONS, DERMATOME_ROOTS, REGION_INDEX, regions
from painmap.bodymap.schemes import ABOVE_KNEE_SEGMENTS

Point = tuple[float, float]


def _dist_to_segment(px: float, py: float, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    t = 0.0 if len2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / len2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def stroke_pixels_python(view: str, points: Sequence[Point], width: float,
                         step: float = RASTER_STEP) -> set[int]:
    """Body pixels (flat, both views) whose centre lies within ``width / 2`` of the polyline.

    Tests every pixel of the stroke's bounding box against every segment.
    """
    lab = label_image(step)
    _, ny, nx = lab.shape
    r = max(width / 2.0, 0.75 * step)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    segs = list(itertools.pairwise(points)) or [(points[0], points[0])]
    out: set[int] = set()
    v = VIEW_CODE[view]  # type: ignore[index]
    body = lab.body_of_pixel
    for iy in range(max(0, int((min(ys) - r) / step)), min(ny, int((max(ys) + r) / step) + 1)):
        cy = (iy + 0.5) * step
        for ix in range(max(0, int((min(xs) - r) / step)),
                        min(nx, int((max(xs) + r) / step) + 1)):
            cx = (ix + 0.5) * step
            if any(_dist_to_segment(cx, cy, a, b) <= r for a, b in segs):
                flat = (v * ny + iy) * nx + ix
                if body[flat] >= 0:
                    out.add(int(body[flat]))
    return out


def region_fractions_python(strokes: Sequence[tuple[str, Sequence[Point], float]],
                            step: float = RASTER_STEP) -> dict[str, float]:
    """Per-region covered share of a drawing's strokes ``(view, points, width)``."""
    lab = label_image(step)
    painted: set[int] = set()
    for view, pts, width in strokes:
        painted |= stroke_pixels_python(view, pts, width, step)
    counts: dict[int, int] = {}
    for b in painted:
        lbl = int(lab.body_label[b])
        counts[lbl] = counts.get(lbl, 0) + 1
    ids = list(REGION_INDEX)
    return {ids[k]: c / int(lab.region_pixels[k]) for k, c in counts.items()}


_SITE_TO_ACR = {s: name for name, sites in ACR_REGIONS.items() for s in sites}


def metrics_python(marks: dict[str, float]) -> dict[str, object]:
    """Metrics of a region-only drawing ``{region_id: intensity}``, one region at a time."""
    regs = regions()
    extent = iwe = 0.0
    sites: set[str] = set()
    acr: set[str] = set()
    below = above = low = False
    left = right = 0.0
    maxi = 0.0
    dist = -1
    derm_num = dict.fromkeys(DERMATOME_ROOTS, 0.0)
    mapped = 0.0
    count = 0
    for rid, inten in marks.items():
        if inten <= 0:
            continue
        r = regs[REGION_INDEX[rid]]
        count += 1
        extent += r.area_fraction
        iwe += r.area_fraction * inten / 10.0
        maxi = max(maxi, inten)
        if r.wpi19:
            sites.add(r.wpi19)
            if r.wpi19 in _SITE_TO_ACR:
                acr.add(_SITE_TO_ACR[r.wpi19])
        below |= r.below_knee
        above |= r.segment in ABOVE_KNEE_SEGMENTS
        low |= r.low_back
        if r.side.value == "left":
            left += r.area_fraction
        elif r.side.value == "right":
            right += r.area_fraction
        if r.distality is not None:
            dist = max(dist, r.distality)
        for root, w in r.dermatomes.items():
            derm_num[root] += w * r.area_fraction
        if r.dermatomes:
            mapped += r.area_fraction
    derm_den = dict.fromkeys(DERMATOME_ROOTS, 0.0)
    for r in regs:
        for root, w in r.dermatomes.items():
            derm_den[root] += w * r.area_fraction
    return {
        "extent_fraction": extent,
        "intensity_weighted_extent": iwe,
        "region_count": count,
        "max_intensity": maxi,
        "wpi": len(sites),
        "wpi_regions_generalized": len(acr),
        "quebec": 3 if below else 2 if above else 1 if low else 0,
        "laterality_index": (right - left) / (right + left) if left + right else float("nan"),
        "dermatomes": [2 * derm_num[k] / (mapped + derm_den[k]) for k in DERMATOME_ROOTS],
        "distality": dist,
    }
