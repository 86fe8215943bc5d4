"""Rasterise the chart and freehand strokes at the canonical resolution.

The label image holds, per view, the index of the region each pixel centre falls in
(-1 outside the body). Strokes are rasterised as the union of discs of radius
``width / 2`` centred on points sampled along each polyline, so a stroke covers the
pixels whose centres lie within half its width of the drawn line. Points are sampled
every ``min(radius, 2 pixels)``, which leaves scallops at the stroke's edge no deeper
than 0.134 radius and never deeper than 0.3 pixel; sample positions and radii are
quantised to 1/4 pixel. A stroke thinner than 1.5 pixels is widened to 1.5 pixels so that
it always marks something.

Everything works on whole batches of drawings held in flat numpy arrays
(:class:`StrokeBatch`); single drawings go through the same code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from painmap.bodymap.drawing import Drawing, View
from painmap.bodymap.regions import CHART, REGION_IDS, REGION_INDEX

#: Chart units per pixel of the canonical raster (400 x 1000 units -> 160 x 400 pixels).
RASTER_STEP = 2.5
VIEWS: tuple[View, ...] = (View.FRONT, View.BACK)
VIEW_CODE: dict[View, int] = {View.FRONT: 0, View.BACK: 1}

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class LabelImage:
    """Per-view region label image and the compressed body-pixel index.

    Attributes
    ----------
    step : float
        Chart units per pixel.
    shape : tuple of int
        ``(views, rows, cols)``.
    labels : ndarray of int32, shape (views, rows, cols)
        Region index per pixel, -1 outside the body.
    body_of_pixel : ndarray of int64, shape (views * rows * cols,)
        Index of each pixel among body pixels, -1 outside.
    body_label : ndarray of int64, shape (n_body,)
        Region index of each body pixel.
    body_pixel : ndarray of int64, shape (n_body,)
        Flat pixel index of each body pixel.
    region_pixels : ndarray of int64, shape (n_regions,)
        Number of pixels of each region.
    """

    step: float
    shape: tuple[int, int, int]
    labels: NDArray[np.int32]
    body_of_pixel: IntArray
    body_label: IntArray
    body_pixel: IntArray
    region_pixels: IntArray

    @property
    def n_body(self) -> int:
        """Number of body pixels (both views)."""
        return int(self.body_label.shape[0])


@cache
def label_image(step: float = RASTER_STEP) -> LabelImage:
    """The label image at ``step`` chart units per pixel (cached).

    Parameters
    ----------
    step : float, optional
        Chart units per pixel; the canonical resolution is :data:`RASTER_STEP`.

    Returns
    -------
    LabelImage
    """
    from matplotlib.path import Path as MplPath

    g0 = CHART.views[View.FRONT]
    nx, ny = round(g0.width / step), round(g0.height / step)
    labels = np.full((len(VIEWS), ny, nx), -1, dtype=np.int32)
    for v in VIEWS:
        geo = CHART.views[v]
        for rid, poly in geo.regions.items():
            arr = np.asarray(poly, dtype=float)
            x0, y0 = np.floor(arr.min(axis=0) / step).astype(int)
            x1, y1 = np.ceil(arr.max(axis=0) / step).astype(int)
            xs = (np.arange(max(x0, 0), min(x1 + 1, nx)) + 0.5) * step
            ys = (np.arange(max(y0, 0), min(y1 + 1, ny)) + 0.5) * step
            gx, gy = np.meshgrid(xs, ys)
            inside = MplPath(arr).contains_points(np.column_stack([gx.ravel(), gy.ravel()]))
            ix = (gx.ravel()[inside] / step).astype(int)
            iy = (gy.ravel()[inside] / step).astype(int)
            labels[VIEW_CODE[v], iy, ix] = REGION_INDEX[rid]
    flat = labels.ravel()
    body_pixel = np.flatnonzero(flat >= 0).astype(np.int64)
    body_of_pixel = np.full(flat.shape[0], -1, dtype=np.int64)
    body_of_pixel[body_pixel] = np.arange(body_pixel.shape[0])
    body_label = flat[body_pixel].astype(np.int64)
    region_pixels = np.bincount(body_label, minlength=len(REGION_IDS)).astype(np.int64)
    return LabelImage(step, (len(VIEWS), ny, nx), labels, body_of_pixel, body_label,
                      body_pixel, region_pixels)


@dataclass(frozen=True)
class StrokeBatch:
    """Freehand strokes of many drawings in flat arrays (no pydantic objects).

    Attributes
    ----------
    n_drawings : int
        Number of drawings (some may have no strokes).
    stroke_drawing : ndarray of int64, shape (n_strokes,)
        Drawing index of each stroke, non-decreasing.
    stroke_view : ndarray of int64
        0 front, 1 back.
    stroke_width, stroke_intensity : ndarray of float64
        Width in chart units; intensity 0-10.
    stroke_start : ndarray of int64, shape (n_strokes + 1,)
        Offsets of each stroke's points in ``points``.
    points : ndarray of float64, shape (n_points, 2)
        Chart coordinates.
    """

    n_drawings: int
    stroke_drawing: IntArray
    stroke_view: IntArray
    stroke_width: FloatArray
    stroke_intensity: FloatArray
    stroke_start: IntArray
    points: FloatArray

    @classmethod
    def from_drawings(cls, drawings: Sequence[Drawing]) -> StrokeBatch:
        """Pack the strokes of pydantic drawings into arrays."""
        sd: list[int] = []
        sv: list[int] = []
        sw: list[float] = []
        si: list[float] = []
        starts = [0]
        pts: list[tuple[float, float]] = []
        for d, drawing in enumerate(drawings):
            for s in drawing.strokes:
                sd.append(d)
                sv.append(VIEW_CODE[s.view])
                sw.append(s.width)
                si.append(s.intensity)
                pts.extend(s.points)
                starts.append(len(pts))
        return cls(
            len(drawings),
            np.asarray(sd, dtype=np.int64),
            np.asarray(sv, dtype=np.int64),
            np.asarray(sw, dtype=np.float64),
            np.asarray(si, dtype=np.float64),
            np.asarray(starts, dtype=np.int64),
            np.asarray(pts, dtype=np.float64).reshape(-1, 2),
        )

    def select(self, lo: int, hi: int) -> StrokeBatch:
        """Drawings ``lo`` to ``hi - 1`` as a batch of their own (renumbered from 0)."""
        s0, s1 = np.searchsorted(self.stroke_drawing, [lo, hi])
        p0, p1 = self.stroke_start[s0], self.stroke_start[s1]
        return StrokeBatch(
            hi - lo,
            self.stroke_drawing[s0:s1] - lo,
            self.stroke_view[s0:s1],
            self.stroke_width[s0:s1],
            self.stroke_intensity[s0:s1],
            self.stroke_start[s0:s1 + 1] - p0,
            self.points[p0:p1],
        )


@dataclass(frozen=True)
class Hits:
    """Unique painted body pixels of a batch: one row per (drawing, body pixel)."""

    drawing: IntArray
    body: IntArray
    intensity: FloatArray


def _samples(batch: StrokeBatch, step: float) -> tuple[FloatArray, FloatArray, FloatArray,
                                                       IntArray, IntArray, FloatArray]:
    """Points sampled along every stroke: x, y, radius, view, drawing, intensity.

    Samples are spaced evenly along each polyline's arc length (however densely the
    tablet recorded it), plus each stroke's last point.
    """
    n_str = batch.stroke_drawing.shape[0]
    radius = np.maximum(batch.stroke_width / 2.0, 0.75 * step)
    spacing = np.minimum(radius, 2.0 * step)
    pts = batch.points
    starts = batch.stroke_start[:-1]
    ends = batch.stroke_start[1:]
    counts = ends - starts
    stroke_of_point = np.repeat(np.arange(n_str), counts)
    seglen = np.zeros(pts.shape[0])
    if pts.shape[0] > 1:
        d = np.hypot(*(pts[1:] - pts[:-1]).T)
        same = stroke_of_point[1:] == stroke_of_point[:-1]
        seglen[:-1] = np.where(same, d, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(seglen[:-1])])
    length = cum[ends - 1] - cum[starts]
    n_samp = np.floor(length / spacing).astype(np.int64) + 1
    s_stroke = np.repeat(np.arange(n_str), n_samp)
    j = np.arange(s_stroke.shape[0]) - np.repeat(np.cumsum(n_samp) - n_samp, n_samp)
    g = cum[starts][s_stroke] + j * spacing[s_stroke]
    k = np.searchsorted(cum, g, side="right") - 1
    k = np.clip(k, starts[s_stroke], np.maximum(starts, ends - 2)[s_stroke])
    k1 = np.minimum(k + 1, pts.shape[0] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(seglen[k] > 0, (g - cum[k]) / seglen[k], 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    sx = pts[k, 0] + (pts[k1, 0] - pts[k, 0]) * frac
    sy = pts[k, 1] + (pts[k1, 1] - pts[k, 1]) * frac
    # plus the last point of every stroke (covers single-point strokes too)
    last = ends - 1
    sx = np.concatenate([sx, pts[last, 0]])
    sy = np.concatenate([sy, pts[last, 1]])
    s_stroke = np.concatenate([s_stroke, np.arange(n_str)])
    return (sx, sy, radius[s_stroke], batch.stroke_view[s_stroke],
            batch.stroke_drawing[s_stroke], batch.stroke_intensity[s_stroke])


#: Sub-pixel positions and radii are quantised to these fractions of a pixel for stencils.
_SUB = 4
_RADIUS_Q = 4


@cache
def _stencil(qx: int, qy: int, qr: int, row: int) -> NDArray[np.int32]:
    """Flat offsets (in a padded image with ``row`` pixels per row) of the pixels whose
    centres lie within ``qr / _RADIUS_Q`` pixels of sub-pixel position ``(qx, qy)``."""
    r = qr / _RADIUS_Q
    fx, fy = (qx + 0.5) / _SUB, (qy + 0.5) / _SUB
    span = int(np.ceil(r)) + 1
    d = np.arange(-span, span + 1)
    ox, oy = np.meshgrid(d, d)
    ok = (ox + 0.5 - fx) ** 2 + (oy + 0.5 - fy) ** 2 <= r * r
    return (oy[ok] * row + ox[ok]).astype(np.int32)


#: Offset used to pad short stencils: far past the end of any padded image, so that
#: ``np.take(..., mode="clip")`` lands on the trailing outside-the-body cell.
_FAR = np.int32(2**30)


@cache
def _stencil_table(qr: int, row: int) -> NDArray[np.int32]:
    """Stencils of one radius for all sub-pixel positions, padded to equal length."""
    sts = [_stencil(qx, qy, qr, row) for qy in range(_SUB) for qx in range(_SUB)]
    k = max(st.shape[0] for st in sts)
    table = np.full((len(sts), k), _FAR, dtype=np.int32)
    for i, st in enumerate(sts):
        table[i, : st.shape[0]] = st
    return table


@dataclass(frozen=True)
class _Padded:
    margin: int
    row: int
    body_of_padded: NDArray[np.int32]


@cache
def _padded(step: float, margin: int) -> _Padded:
    """Body-pixel index on an image padded by ``margin`` pixels on every side."""
    lab = label_image(step)
    nv, ny, nx = lab.shape
    pad = np.full((nv, ny + 2 * margin, nx + 2 * margin), -1, dtype=np.int32)
    pad[:, margin:margin + ny, margin:margin + nx] = lab.body_of_pixel.reshape(nv, ny, nx)
    # one trailing outside cell catches padded stencil entries (see _FAR)
    return _Padded(margin, nx + 2 * margin, np.concatenate([pad.ravel(), [-1]]).astype(np.int32))


class _Scratch:
    """Reusable, never-cleared work arrays for de-duplicating hits in O(hits)."""

    def __init__(self) -> None:
        self.index = np.empty(0, dtype=np.int32)
        self.value = np.empty(0, dtype=np.float32)

    def ensure(self, n: int) -> None:
        if self.index.shape[0] < n:
            self.index = np.empty(n, dtype=np.int32)
            self.value = np.empty(n, dtype=np.float32)


_SCRATCH = _Scratch()


def rasterise(batch: StrokeBatch, step: float = RASTER_STEP) -> Hits:
    """Painted body pixels of every drawing of a batch (each pixel once per drawing).

    Each sampled point stamps a precomputed disc stencil chosen by its sub-pixel position
    (quantised to 1/4 pixel) and radius (quantised to 1/4 pixel), on a padded image so
    that no bounds checks are needed; duplicates are removed in O(hits) with a scratch
    array that is never cleared.

    Parameters
    ----------
    batch : StrokeBatch
        Strokes to rasterise; keep batches to about a thousand drawings (see
        :func:`iter_hits`).
    step : float, optional
        Chart units per pixel.

    Returns
    -------
    Hits
        Unique ``(drawing, body pixel)`` pairs with the highest stroke intensity there.
    """
    lab = label_image(step)
    _, ny, nx = lab.shape
    sx, sy, sr, sv, sd, si = _samples(batch, step)
    if sx.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Hits(empty, empty, np.empty(0, dtype=np.float64))
    rq = np.maximum(np.rint(sr / step * _RADIUS_Q), 1).astype(np.int64)
    margin = int(np.ceil(rq.max() / _RADIUS_Q)) + 2 if rq.size else 2
    pad = _padded(step, margin)
    px, py = sx / step, sy / step
    cx = np.minimum(np.floor(px).astype(np.int64), nx - 1)
    cy = np.minimum(np.floor(py).astype(np.int64), ny - 1)
    qx = np.minimum(((px - cx) * _SUB).astype(np.int64), _SUB - 1)
    qy = np.minimum(((py - cy) * _SUB).astype(np.int64), _SUB - 1)
    base = ((sv * (ny + 2 * margin) + cy + margin) * pad.row + cx + margin).astype(np.int32)
    sub = (qy * _SUB + qx).astype(np.intp)
    n_body = lab.n_body
    # int32 keys while they fit (chunks of a few hundred drawings): half the memory traffic
    kdt = np.int32 if batch.n_drawings * n_body < 2**31 - 1 else np.int64
    dbase = (sd * n_body).astype(kdt)
    # when every drawing's strokes share one intensity, no per-pixel maximum is needed
    sint = batch.stroke_intensity
    sdr = batch.stroke_drawing
    uniform = bool(sint.size == 0 or np.all(
        np.maximum.reduceat(sint, np.flatnonzero(np.r_[True, np.diff(sdr) != 0]))[
            np.cumsum(np.r_[False, np.diff(sdr) != 0])] == sint))
    keys: list[NDArray[Any]] = []
    vals: list[NDArray[np.float32]] = []
    si32 = si.astype(np.float32)
    order = np.argsort(rq, kind="stable")
    bounds = np.flatnonzero(np.diff(rq[order])) + 1
    for sel in np.split(order, bounds):
        table = _stencil_table(int(rq[sel[0]]), pad.row)
        idx = base[sel, None] + table[sub[sel]]
        body = np.take(pad.body_of_padded, idx, mode="clip").ravel()
        inside = body >= 0
        rep = np.repeat(sel, table.shape[1])[inside]
        keys.append(np.add(dbase[rep], body[inside], dtype=kdt))
        if not uniform:
            vals.append(si32[rep])
    key = np.concatenate(keys)
    n = key.shape[0]
    _SCRATCH.ensure(batch.n_drawings * n_body)
    pos = np.arange(n, dtype=np.int32)
    _SCRATCH.index[key] = pos
    ukey = key[_SCRATCH.index[key] == pos].astype(np.int64)
    drawing = ukey // n_body
    if uniform:
        per_drawing = np.zeros(batch.n_drawings)
        per_drawing[sdr] = sint
        value = per_drawing[drawing]
    else:
        _SCRATCH.value[key] = 0.0
        np.maximum.at(_SCRATCH.value, key, np.concatenate(vals))
        value = _SCRATCH.value[ukey].astype(np.float64)
    return Hits(drawing, ukey % n_body, value)


def iter_hits(batch: StrokeBatch, step: float = RASTER_STEP, chunk: int = 256
              ) -> Iterator[tuple[int, Hits]]:
    """Rasterise a large batch chunk by chunk; yields ``(first drawing index, hits)``."""
    for lo in range(0, batch.n_drawings, chunk):
        hi = min(lo + chunk, batch.n_drawings)
        yield lo, rasterise(batch.select(lo, hi), step)


def stroke_region_state(batch: StrokeBatch, step: float = RASTER_STEP, chunk: int = 256
                        ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per drawing and region: covered fraction, highest and mean stroke intensity.

    Returns
    -------
    coverage : ndarray of float64, shape (n_drawings, n_regions)
        Share of the region's pixels painted.
    intensity : ndarray of float64, shape (n_drawings, n_regions)
        Highest intensity painted in the region.
    weighted : ndarray of float64, shape (n_drawings, n_regions)
        Sum of painted pixel intensities over the region's pixel count (0-10), i.e. the
        region's intensity-weighted coverage.
    """
    lab = label_image(step)
    n_reg = len(REGION_IDS)
    cov = np.zeros((batch.n_drawings, n_reg))
    inten = np.zeros((batch.n_drawings, n_reg))
    wsum = np.zeros((batch.n_drawings, n_reg))
    for lo, hits in iter_hits(batch, step, chunk):
        hi = min(lo + chunk, batch.n_drawings)
        cell = hits.drawing * n_reg + lab.body_label[hits.body]
        m = hi - lo
        counts = np.bincount(cell, minlength=m * n_reg).reshape(m, n_reg)
        cov[lo:hi] = counts / lab.region_pixels[None, :]
        block = np.zeros(m * n_reg)
        np.maximum.at(block, cell, hits.intensity)
        inten[lo:hi] = block.reshape(m, n_reg)
        ws = np.bincount(cell, weights=hits.intensity, minlength=m * n_reg).reshape(m, n_reg)
        wsum[lo:hi] = ws / lab.region_pixels[None, :]
    return cov, inten, wsum
