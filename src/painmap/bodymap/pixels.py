"""Painted body pixels of drawings: strokes and marked regions together."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from painmap.bodymap.drawing import Drawing
from painmap.bodymap.raster import RASTER_STEP, Hits, StrokeBatch, label_image, rasterise
from painmap.bodymap.regions import REGION_IDS, REGION_INDEX


@dataclass(frozen=True)
class DrawingBatch:
    """Many drawings as arrays: their strokes and a sparse region-mark intensity matrix."""

    strokes: StrokeBatch
    marks: sp.csr_matrix

    @property
    def n_drawings(self) -> int:
        """Number of drawings."""
        return self.strokes.n_drawings

    @classmethod
    def from_drawings(cls, drawings: Sequence[Drawing]) -> DrawingBatch:
        """Pack pydantic drawings (marks with intensity 0 are left out)."""
        indptr = [0]
        cols: list[int] = []
        vals: list[float] = []
        for d in drawings:
            for m in d.marks:
                if m.intensity > 0:
                    cols.append(REGION_INDEX[m.id])
                    vals.append(m.intensity)
            indptr.append(len(cols))
        marks = sp.csr_matrix((vals, cols, indptr), shape=(len(drawings), len(REGION_IDS)))
        return cls(StrokeBatch.from_drawings(drawings), marks)

    def select(self, lo: int, hi: int) -> DrawingBatch:
        """Drawings ``lo`` to ``hi - 1``."""
        return DrawingBatch(self.strokes.select(lo, hi), self.marks[lo:hi])


@cache
def _region_pixels(step: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Body pixels grouped by region: (order, start offsets)."""
    lab = label_image(step)
    order = np.argsort(lab.body_label, kind="stable").astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lab.region_pixels)]).astype(np.int64)
    return order, starts


def painted(batch: DrawingBatch, step: float = RASTER_STEP) -> Hits:
    """Unique painted body pixels of a (small) batch, with the highest intensity there.

    A pixel is painted when a stroke covers it or its region is marked with intensity > 0.
    """
    lab = label_image(step)
    sh = rasterise(batch.strokes, step)
    m = batch.marks.tocoo()
    if m.nnz == 0:
        return sh
    order, starts = _region_pixels(step)
    cnt = lab.region_pixels[m.col]
    rep = np.repeat(np.arange(m.nnz), cnt)
    pos = np.arange(rep.shape[0]) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    body = order[starts[m.col[rep]] + pos]
    d = np.concatenate([sh.drawing, m.row[rep].astype(np.int64)])
    b = np.concatenate([sh.body, body])
    v = np.concatenate([sh.intensity, m.data[rep].astype(np.float64)])
    key = d * lab.n_body + b
    uniq, inv = np.unique(key, return_inverse=True)
    best = np.zeros(uniq.shape[0])
    np.maximum.at(best, inv, v)
    return Hits(uniq // lab.n_body, uniq % lab.n_body, best)


def iter_painted(batch: DrawingBatch, step: float = RASTER_STEP, chunk: int = 256
                 ) -> Iterator[tuple[int, Hits]]:
    """:func:`painted` chunk by chunk; yields ``(first drawing index, hits)``."""
    for lo in range(0, batch.n_drawings, chunk):
        hi = min(lo + chunk, batch.n_drawings)
        yield lo, painted(batch.select(lo, hi), step)


def pixel_weights(step: float = RASTER_STEP) -> NDArray[np.float64]:
    """Body-surface share of each body pixel (its region's area over its pixel count)."""
    from painmap.bodymap.schemes import schemes

    lab = label_image(step)
    per_pixel = schemes().area / lab.region_pixels
    return np.asarray(per_pixel[lab.body_label], dtype=np.float64)
