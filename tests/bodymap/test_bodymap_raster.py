"""Rasterising strokes: agreement with the per-pixel reference, batches, dedup."""

from __future__ import annotations

import numpy as np
import pytest

from painmap.bodymap import Drawing, Stroke
from painmap.bodymap.baseline import region_fractions_python, stroke_pixels_python
from painmap.bodymap.raster import StrokeBatch, label_image, rasterise, stroke_region_state
from painmap.bodymap.regions import REGION_IDS
from painmap.bodymap.synthetic import synthetic_drawings, synthetic_stroke_batch


def test_fast_rasteriser_matches_the_per_pixel_reference() -> None:
    batch = synthetic_stroke_batch(15, seed=11)
    hits = rasterise(batch)
    ious = []
    for k in range(batch.stroke_drawing.shape[0]):
        d = int(batch.stroke_drawing[k])
        pts = [tuple(p) for p in batch.points[batch.stroke_start[k]:batch.stroke_start[k + 1]]]
        view = "front" if batch.stroke_view[k] == 0 else "back"
        ref = stroke_pixels_python(view, pts, float(batch.stroke_width[k]))  # type: ignore[arg-type]
        one = StrokeBatch(1, np.array([0]), batch.stroke_view[k:k + 1],
                          batch.stroke_width[k:k + 1], batch.stroke_intensity[k:k + 1],
                          np.array([0, len(pts)]), np.asarray(pts, dtype=float))
        fast = set(rasterise(one).body.tolist())
        ious.append(len(ref & fast) / len(ref | fast))
        assert fast <= set(hits.body[hits.drawing == d].tolist())
    assert min(ious) > 0.85 and float(np.mean(ious)) > 0.93


def test_region_fractions_match_the_reference() -> None:
    d = Drawing(strokes=[Stroke(view="back", points=[(168, 520), (164, 640), (160, 760)],
                                width=18, intensity=5)])
    cov, _, _ = stroke_region_state(StrokeBatch.from_drawings([d]))
    ref = region_fractions_python([("back", d.strokes[0].points, 18.0)])
    for rid, val in ref.items():
        assert cov[0, REGION_IDS.index(rid)] == pytest.approx(val, abs=0.12), rid


def test_each_pixel_counts_once_per_drawing() -> None:
    s = Stroke(view="back", points=[(168, 520), (164, 640)], width=18, intensity=5)
    once = rasterise(StrokeBatch.from_drawings([Drawing(strokes=[s])]))
    twice = rasterise(StrokeBatch.from_drawings([Drawing(strokes=[s, s])]))
    assert sorted(once.body.tolist()) == sorted(twice.body.tolist())


def test_overlap_keeps_the_highest_intensity() -> None:
    a = Stroke(view="back", points=[(168, 520), (164, 640)], width=18, intensity=3)
    b = Stroke(view="back", points=[(168, 520), (164, 640)], width=18, intensity=8)
    hits = rasterise(StrokeBatch.from_drawings([Drawing(strokes=[a, b])]))
    assert set(hits.intensity.tolist()) == {8.0}


def test_chunked_equals_whole_and_select_renumbers() -> None:
    drawings = synthetic_drawings(30, seed=2, freehand=True)
    batch = StrokeBatch.from_drawings(drawings)
    whole = stroke_region_state(batch, chunk=1000)[0]
    chunked = stroke_region_state(batch, chunk=7)[0]
    np.testing.assert_allclose(whole, chunked)
    part = batch.select(10, 20)
    assert part.n_drawings == 10
    np.testing.assert_allclose(stroke_region_state(part)[0], whole[10:20])


def test_thin_strokes_still_mark_pixels_and_empty_batches_work() -> None:
    s = Stroke(view="front", points=[(200, 300)], width=0.5, intensity=2)
    assert rasterise(StrokeBatch.from_drawings([Drawing(strokes=[s])])).body.size > 0
    assert rasterise(StrokeBatch.from_drawings([Drawing()])).body.size == 0


def test_strokes_outside_the_body_paint_nothing() -> None:
    s = Stroke(view="front", points=[(10, 900), (30, 980)], width=10, intensity=5)
    assert rasterise(StrokeBatch.from_drawings([Drawing(strokes=[s])])).body.size == 0
    assert label_image().n_body > 10000
