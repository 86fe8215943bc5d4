"""SYNTHETIC pain drawings for tests, benchmarks and pictures (never a real patient).

Drawings follow a few textbook patterns (axial low-back pain, S1-, L5- and L4-like
radiation, SIJ-like buttock pain, groin/hip pain, widespread pain) with random side,
extent, jitter and intensity. Two forms are produced: pydantic :class:`Drawing` objects,
and flat arrays (:class:`~painmap.bodymap.raster.StrokeBatch` or a sparse marks matrix)
for batches of a million drawings.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.sparse as sp

from painmap.bodymap.drawing import Drawing, Quality, RegionMark, Stroke, View
from painmap.bodymap.raster import StrokeBatch
from painmap.bodymap.regions import CHART, REGION_IDS, REGION_INDEX

#: Patterns as chains of region-id stems (view prefix included, side suffix added later).
PATTERNS: dict[str, tuple[str, ...]] = {
    "axial": ("b_lumbar_l3_para", "b_lumbar_l4_para", "b_lumbar_l5_para", "b_sij"),
    "s1": ("b_lumbar_l5_para", "b_buttock", "b_thigh_post_upper", "b_thigh_post_lower",
           "b_popliteal", "b_calf_upper", "b_calf_lower", "b_heel", "b_sole_lat"),
    "l5": ("f_thigh_lat_upper", "f_thigh_lat_lower", "f_knee_lat", "f_leg_lat_upper",
           "f_leg_lat_lower", "f_ankle_ant", "f_dorsum", "f_hallux"),
    "l4": ("f_thigh_ant_upper", "f_thigh_ant_lower", "f_knee_ant", "f_leg_med_upper",
           "f_leg_med_lower", "f_ankle_med"),
    "sij": ("b_sij", "b_buttock", "b_buttock_upper_outer", "b_thigh_post_upper"),
    "groin": ("f_inguinal", "f_groin", "f_hip_ant", "f_thigh_ant_upper"),
}
#: Relative frequency of each pattern in synthetic cohorts.
PATTERN_WEIGHTS: dict[str, float] = {
    "axial": 0.35, "s1": 0.2, "l5": 0.15, "l4": 0.05, "sij": 0.15, "groin": 0.05,
    "widespread": 0.05,
}
_QUALITY_BY_PATTERN = {
    "axial": Quality.ACHING, "s1": Quality.SHOOTING, "l5": Quality.BURNING,
    "l4": Quality.ELECTRIC, "sij": Quality.DEEP, "groin": Quality.ACHING,
    "widespread": Quality.THROBBING,
}


def _sided(stem: str, side: str) -> str:
    for cand in (f"{stem}_{side}", stem):
        if cand in REGION_INDEX:
            return cand
    raise KeyError(stem)


@cache
def _centroids() -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for geo in CHART.views.values():
        for rid, poly in geo.regions.items():
            arr = np.asarray(poly)
            out[rid] = (float(arr[:, 0].mean()), float(arr[:, 1].mean()))
    return out


def _chain(rng: np.random.Generator, pattern: str) -> tuple[str, list[str]]:
    side = "l" if rng.random() < 0.5 else "r"
    stems = PATTERNS[pattern]
    n = int(rng.integers(2, len(stems) + 1))
    return side, [_sided(s, side) for s in stems[:n]]


def _pattern(rng: np.random.Generator) -> str:
    names = list(PATTERN_WEIGHTS)
    p = np.array([PATTERN_WEIGHTS[k] for k in names])
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def synthetic_drawing(rng: np.random.Generator, *, freehand: bool = False) -> Drawing:
    """One synthetic drawing (region marks, or freehand strokes when ``freehand``).

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    freehand : bool, optional
        Draw strokes along the pattern instead of marking its regions.

    Returns
    -------
    Drawing
    """
    pattern = _pattern(rng)
    quality = _QUALITY_BY_PATTERN[pattern]
    base = float(rng.integers(3, 9))
    if pattern == "widespread":
        ids = list(rng.choice(len(REGION_IDS), size=int(rng.integers(25, 70)), replace=False))
        chosen = [REGION_IDS[int(i)] for i in ids]
        if not freehand:
            return Drawing(marks=[RegionMark(id=r, intensity=base, qualities=[quality])
                                  for r in chosen])
        cen = _centroids()
        dots = [Stroke(view=View.FRONT if r.startswith("f_") else View.BACK,
                       points=[cen[r]], width=14.0, intensity=base, quality=quality)
                for r in chosen]
        return Drawing(strokes=dots)
    _, chain = _chain(rng, pattern)
    if not freehand:
        marks = []
        for k, rid in enumerate(chain):
            inten = float(np.clip(base - 0.5 * k + rng.normal(0, 0.5), 1, 10))
            marks.append(RegionMark(id=rid, intensity=round(inten, 1), qualities=[quality]))
        return Drawing(marks=marks)
    cen = _centroids()
    strokes: list[Stroke] = []
    for view, prefix in ((View.FRONT, "f_"), (View.BACK, "b_")):
        pts = [cen[r] for r in chain if r.startswith(prefix)]
        if not pts:
            continue
        arr = np.asarray(pts) + rng.normal(0, 2.0, size=(len(pts), 2))
        arr = np.clip(arr, 0, [CHART.views[view].width, CHART.views[view].height])
        strokes.append(Stroke(view=view, points=[(float(x), float(y)) for x, y in arr],
                              width=float(rng.uniform(10, 22)), intensity=base,
                              quality=quality))
    return Drawing(strokes=strokes)


def synthetic_drawings(n: int, seed: int = 0, *, freehand: bool = False) -> list[Drawing]:
    """``n`` synthetic drawings (see :func:`synthetic_drawing`)."""
    rng = np.random.default_rng(seed)
    return [synthetic_drawing(rng, freehand=freehand) for _ in range(n)]


def synthetic_marks_matrix(n: int, seed: int = 0) -> sp.csr_matrix:
    """``n`` synthetic region-only drawings as a sparse intensity matrix, vectorised.

    Each drawing marks a random-length prefix of one pattern chain on one side.
    """
    rng = np.random.default_rng(seed)
    names = [k for k in PATTERNS]
    chains = {(p, s): np.array([REGION_INDEX[_sided(st, s)] for st in PATTERNS[p]])
              for p in names for s in ("l", "r")}
    p = np.array([PATTERN_WEIGHTS[k] for k in names])
    pat = rng.choice(len(names), size=n, p=p / p.sum())
    side = rng.integers(0, 2, size=n)
    lengths = np.array([len(PATTERNS[k]) for k in names])
    length = 2 + (rng.random(n) * (lengths[pat] - 1)).astype(np.int64)
    table = np.full((len(names), 2, int(lengths.max())), -1, dtype=np.int64)
    for i, k in enumerate(names):
        for j, s in enumerate(("l", "r")):
            table[i, j, : lengths[i]] = chains[(k, s)]
    indptr = np.concatenate([[0], np.cumsum(length)])
    row = np.repeat(np.arange(n), length)
    pos = np.arange(indptr[-1]) - indptr[row]
    cols = table[pat[row], side[row], pos]
    base = rng.integers(3, 9, size=n).astype(np.float64)
    data = np.clip(base[row] - 0.5 * pos, 1, 10)
    return sp.csr_matrix((data, cols, indptr), shape=(n, len(REGION_IDS)))


def _densify(pts: np.ndarray, every: float) -> np.ndarray:
    """Resample a polyline with a point every ``every`` units (like a tablet's samples)."""
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, s[-1], max(int(s[-1] / every) + 1, 2))
    return np.column_stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])])


def synthetic_stroke_batch(n: int, seed: int = 0, points_every: float = 6.0) -> StrokeBatch:
    """``n`` synthetic freehand drawings as a :class:`StrokeBatch`, vectorised.

    Each drawing is one or two strokes (back and/or front view) through the region
    centroids of a pattern chain, resampled every ``points_every`` units as a tablet would
    record them, with jitter, random width 10-22 units and intensity.
    """
    rng = np.random.default_rng(seed)
    cen = _centroids()
    names = [k for k in PATTERNS]
    # per (pattern, side, view): polyline through the centroids of that view
    lines: list[np.ndarray] = []
    line_view: list[int] = []
    per_combo: list[list[int]] = []
    for k in names:
        for s in ("l", "r"):
            ids = [_sided(st, s) for st in PATTERNS[k]]
            combo = []
            for v, prefix in ((0, "f_"), (1, "b_")):
                pts = np.array([cen[r] for r in ids if r.startswith(prefix)])
                if len(pts):
                    combo.append(len(lines))
                    lines.append(_densify(pts, points_every) if len(pts) > 1 else pts)
                    line_view.append(v)
            per_combo.append(combo)
    p = np.array([PATTERN_WEIGHTS[k] for k in names])
    pat = rng.choice(len(names), size=n, p=p / p.sum())
    side = rng.integers(0, 2, size=n)
    combo_id = pat * 2 + side
    n_lines = np.array([len(c) for c in per_combo])[combo_id]
    stroke_drawing = np.repeat(np.arange(n), n_lines)
    first = np.cumsum(n_lines) - n_lines
    within = np.arange(stroke_drawing.shape[0]) - first[stroke_drawing]
    combo_table = np.full((len(per_combo), 2), -1, dtype=np.int64)
    for i, c in enumerate(per_combo):
        combo_table[i, : len(c)] = c
    line_id = combo_table[combo_id[stroke_drawing], within]
    line_len = np.array([len(x) for x in lines])
    line_pts = np.concatenate(lines)
    line_start = np.concatenate([[0], np.cumsum(line_len)])
    counts = line_len[line_id]
    stroke_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    pt_stroke = np.repeat(np.arange(line_id.shape[0]), counts)
    pt_pos = np.arange(stroke_start[-1]) - stroke_start[pt_stroke]
    pts = line_pts[line_start[line_id[pt_stroke]] + pt_pos]
    pts = pts + rng.normal(0, 1.5, size=pts.shape)
    pts = np.clip(pts, 0, [CHART.views[View.FRONT].width, CHART.views[View.FRONT].height])
    n_str = line_id.shape[0]
    return StrokeBatch(
        n_drawings=n,
        stroke_drawing=stroke_drawing.astype(np.int64),
        stroke_view=np.asarray(line_view, dtype=np.int64)[line_id],
        stroke_width=rng.uniform(10, 22, size=n_str),
        stroke_intensity=rng.integers(3, 9, size=n).astype(np.float64)[stroke_drawing],
        stroke_start=stroke_start,
        points=pts.astype(np.float64),
    )
