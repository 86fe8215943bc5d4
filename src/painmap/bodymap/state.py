"""Reduce a drawing to per-region state: coverage, intensity and qualities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from painmap.bodymap.drawing import Drawing, Quality
from painmap.bodymap.raster import RASTER_STEP, StrokeBatch, stroke_region_state
from painmap.bodymap.regions import REGION_IDS, REGION_INDEX
from painmap.bodymap.schemes import PAINFUL_COVERAGE

Float = NDArray[np.float64]


@dataclass(frozen=True)
class RegionState:
    """What a drawing says about each region (arrays follow :data:`REGION_IDS`).

    Attributes
    ----------
    coverage : (R,) share of the region that is painful (1 for a marked region).
    intensity : (R,) highest intensity in the region (0-10).
    weighted : (R,) intensity-weighted coverage (0-10): mean painted intensity over the
        whole region's area.
    qualities : dict of int to frozenset of Quality
        Qualities reported in each painful region.
    """

    coverage: Float
    intensity: Float
    weighted: Float
    qualities: dict[int, frozenset[Quality]]

    @property
    def painful(self) -> NDArray[np.bool_]:
        """Regions counted as painful (coverage >= :data:`PAINFUL_COVERAGE`)."""
        return self.coverage >= PAINFUL_COVERAGE


def region_state(drawing: Drawing, step: float = RASTER_STEP) -> RegionState:
    """Per-region state of one (already validated) drawing.

    Marks with intensity above 0 cover their whole region; strokes are rasterised at the
    canonical resolution. A region both marked and drawn keeps the higher values.

    Parameters
    ----------
    drawing : Drawing
        The drawing.
    step : float, optional
        Raster resolution in chart units per pixel.

    Returns
    -------
    RegionState
    """
    n = len(REGION_IDS)
    cov = np.zeros(n)
    inten = np.zeros(n)
    weighted = np.zeros(n)
    quals: dict[int, set[Quality]] = {}
    if drawing.strokes:
        batch = StrokeBatch.from_drawings([drawing])
        c, i, w = stroke_region_state(batch, step)
        cov, inten, weighted = c[0], i[0], w[0]
        with_quality = [s for s in drawing.strokes if s.quality is not None]
        if with_quality:
            single = [Drawing.model_construct(marks=[], strokes=[s]) for s in with_quality]
            sc, _, _ = stroke_region_state(StrokeBatch.from_drawings(single), step)
            for k, s in enumerate(with_quality):
                assert s.quality is not None
                for hit in np.flatnonzero(sc[k] >= PAINFUL_COVERAGE):
                    quals.setdefault(int(hit), set()).add(Quality(s.quality))
    for m in drawing.marks:
        if m.intensity <= 0:
            continue
        idx = REGION_INDEX[m.id]
        cov[idx] = 1.0
        inten[idx] = max(inten[idx], m.intensity)
        weighted[idx] = max(weighted[idx], m.intensity)
        if m.qualities:
            quals.setdefault(idx, set()).update(Quality(q) for q in m.qualities)
    return RegionState(cov, inten, weighted, {k: frozenset(v) for k, v in quals.items()})
