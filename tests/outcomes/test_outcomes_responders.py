"""Responder classes at each threshold edge; the vectorised rules equal ``change()``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from painmap.instruments import change
from painmap.outcomes import responder_levels


@pytest.mark.parametrize(
    ("baseline", "followup", "level", "meaningful"),
    [
        (10, 5, "substantial", True),    # exactly 50 %
        (10, 6, "moderate", True),       # 40 %
        (10, 7, "moderate", True),       # exactly 30 % (and 3 points)
        (7, 5, "moderate", True),        # 2 points, 28.6 %: the point rule
        (10, 8, "moderate", True),       # 20 % but exactly 2 points
        (10, 9, "minimal", False),       # exactly 10 %, 1 point
        (3, 2.1, "moderate", True),      # exactly 30 % despite binary floating point
        (6, 5, "minimal", False),        # 16.7 %, 1 point
        (10, 9.5, None, False),          # 5 %: below every rule
        (0, 0, None, False),             # percent undefined at baseline 0
        (4, 6, None, False),             # worse
    ],
)
def test_nrs_edges(baseline: float, followup: float, level: str | None,
                   meaningful: bool) -> None:
    lv, mf = responder_levels("nrs", [baseline], [followup])
    assert lv[0] == level
    assert mf[0] is meaningful
    ref = change("nrs", baseline, followup)
    assert (ref.level, ref.meaningful) == (level, meaningful)


@pytest.mark.parametrize(
    ("instrument", "baseline", "followup", "level", "meaningful"),
    [
        ("odi", 40, 30, "mic", True),        # exactly 10 points
        ("odi", 40, 32, None, False),        # 8 points, 20 %
        ("odi", 20, 14, "mic", True),        # 6 points but exactly 30 %
        ("odi", 20, 14.5, None, False),      # 5.5 points, 27.5 %
        ("rmdq", 12, 7, "mic", True),        # exactly 5 points
        ("rmdq", 10, 7, "mic", True),        # 3 points, exactly 30 %
        ("rmdq", 12, 9, None, False),        # 3 points, 25 %
        ("promis_pi_4a", 60, 50, None, None),  # no published rule: no class
    ],
)
def test_disability_edges(instrument: str, baseline: float, followup: float,
                          level: str | None, meaningful: bool | None) -> None:
    lv, mf = responder_levels(instrument, [baseline], [followup])
    assert lv[0] == level
    assert mf[0] is meaningful


def test_missing_scores_have_no_class() -> None:
    lv, mf = responder_levels("nrs", [7, np.nan], [np.nan, 3])
    assert list(lv) == [None, None] and list(mf) == [None, None]


@pytest.mark.parametrize("instrument,values", [
    ("nrs", [float(v) for v in range(11)] + [2.1, 4.9, 0.5]),
    ("odi", [0, 2, 10, 14, 14.5, 20, 22.2, 30, 33.3, 40, 50, 100]),
    ("rmdq", [float(v) for v in range(0, 25, 1)]),
])
def test_vectorised_equals_change(instrument: str, values: list[float]) -> None:
    pairs = list(itertools.product(values, values))
    b = [p[0] for p in pairs]
    f = [p[1] for p in pairs]
    lv, mf = responder_levels(instrument, b, f)
    for i, (x, y) in enumerate(pairs):
        ref = change(instrument, x, y)
        assert (lv[i], mf[i]) == (ref.level, ref.meaningful), (x, y)
