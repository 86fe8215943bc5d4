"""Properties of metrics on random drawings built from real region ids (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from painmap.bodymap import (
    REGION_IDS,
    Drawing,
    RegionMark,
    Stroke,
    compute_metrics,
    marks_matrix,
    metrics_batch,
)
from painmap.bodymap.compare import compare

mark_sets = st.dictionaries(st.sampled_from(REGION_IDS),
                            st.integers(0, 10).map(float), max_size=40)
points = st.tuples(st.floats(0, 400), st.floats(0, 1000))
strokes = st.builds(Stroke, view=st.sampled_from(["front", "back"]),
                    points=st.lists(points, min_size=1, max_size=6),
                    width=st.floats(1, 60), intensity=st.floats(0, 10))


@settings(max_examples=60)
@given(mark_sets, st.lists(strokes, max_size=3))
def test_metric_ranges(m: dict[str, float], s: list[Stroke]) -> None:
    d = Drawing(marks=[RegionMark(id=k, intensity=v) for k, v in m.items()], strokes=s)
    r = compute_metrics(d)
    assert 0 <= r.extent_fraction <= 1 + 1e-9
    assert 0 <= r.intensity_weighted_extent <= r.extent_fraction + 1e-9
    assert 0 <= r.wpi <= 19 and r.wpi == len(r.wpi_sites)
    assert 0 <= r.wpi_regions_generalized <= 5
    assert r.quebec in (None, 1, 2, 3)
    assert all(0 < x.score <= 1 + 1e-9 for x in r.dermatomes)
    assert [x.score for x in r.dermatomes] == sorted((x.score for x in r.dermatomes),
                                                     reverse=True)
    assert r.region_count <= len(r.region_fractions)
    if r.laterality_index is not None:
        assert -1 <= r.laterality_index <= 1


@settings(max_examples=60)
@given(mark_sets)
def test_batch_equals_single_for_region_drawings(m: dict[str, float]) -> None:
    d = Drawing(marks=[RegionMark(id=k, intensity=v) for k, v in m.items()])
    single = compute_metrics(d)
    b = metrics_batch(marks_matrix([m]))
    assert math.isclose(b.extent_fraction[0], single.extent_fraction, abs_tol=1e-5)
    assert b.wpi[0] == single.wpi and b.region_count[0] == single.region_count
    assert b.quebec[0] == (single.quebec or 0)
    assert b.wpi_regions_generalized[0] == single.wpi_regions_generalized


@settings(max_examples=30)
@given(mark_sets, mark_sets)
def test_compare_is_symmetric_in_overlap(a: dict[str, float], b: dict[str, float]) -> None:
    da = Drawing(marks=[RegionMark(id=k, intensity=v) for k, v in a.items()])
    db = Drawing(marks=[RegionMark(id=k, intensity=v) for k, v in b.items()])
    ab, ba = compare(da, db), compare(db, da)
    assert 0 <= ab.jaccard <= 1
    assert math.isclose(ab.jaccard, ba.jaccard, abs_tol=1e-9)
    assert math.isclose(ab.extent_change, -ba.extent_change, abs_tol=1e-6)
