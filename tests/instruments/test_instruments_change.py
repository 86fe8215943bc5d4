"""Meaningful change: IMMPACT for NRS, Ostelo 2008 for ODI and RMDQ, baseline 0."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from painmap.core.errors import ValidationFailure
from painmap.instruments import INSTRUMENT_IDS, change, get_definition


def _met(result: object) -> dict[str, bool | None]:
    return {r.id: r.met for r in result.rules}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("baseline", "followup", "level", "meaningful"),
    [
        (8, 4, "substantial", True),  # -50 %
        (10, 5, "substantial", True),
        (10, 6, "moderate", True),  # -40 %, 4 points
        (10, 7, "moderate", True),  # -30 % exactly
        (3, 2.1, "moderate", True),  # -30 % despite floating point
        (10, 8, "moderate", True),  # 2 points (20 %)
        (10, 8.5, "minimal", False),  # 15 %, 1.5 points
        (10, 9, "minimal", False),  # 10 %
        (10, 9.5, None, False),  # 5 %
        (4, 5, None, False),  # worse
        (5, 5, None, False),
    ],
)
def test_nrs_immpact(baseline: float, followup: float, level: str | None,
                     meaningful: bool) -> None:
    res = change("nrs", baseline, followup)
    assert res.level == level
    assert res.meaningful is meaningful
    assert res.absolute_change == pytest.approx(followup - baseline)
    assert res.percent_change == pytest.approx((followup - baseline) / baseline * 100)
    assert all(r.citations for r in res.rules)


def test_nrs_points_rule_alone() -> None:
    res = change("nrs", 10, 8)
    assert _met(res) == {"immpact_substantial": False, "immpact_moderate_percent": False,
                         "immpact_moderate_points": True, "immpact_minimal": True}


@pytest.mark.parametrize(
    ("baseline", "followup", "points", "percent", "meaningful"),
    [
        (50, 40, True, False, True),  # 10 points, 20 %
        (50, 41, False, False, False),  # 9 points, 18 %
        (20, 14, False, True, True),  # 6 points, 30 %
        (20, 15, False, False, False),  # 5 points, 25 %
        (40, 50, False, False, False),
    ],
)
def test_odi_ostelo(baseline: float, followup: float, points: bool, percent: bool,
                    meaningful: bool) -> None:
    res = change("odi", baseline, followup)
    assert _met(res) == {"ostelo_points": points, "ostelo_percent": percent}
    assert res.meaningful is meaningful
    assert res.level == ("mic" if meaningful else None)


@pytest.mark.parametrize(
    ("baseline", "followup", "meaningful", "beyond_mdc"),
    [(15, 10, True, True), (15, 11, False, False), (10, 7, True, False), (10, 8, False, False),
     (20, 14, True, True)],
)
def test_rmdq_ostelo(baseline: float, followup: float, meaningful: bool,
                     beyond_mdc: bool) -> None:
    res = change("rmdq", baseline, followup)
    assert res.meaningful is meaningful
    assert res.beyond_mdc is beyond_mdc


def test_baseline_zero_percent_undefined() -> None:
    res = change("nrs", 0, 3)
    assert res.percent_change is None and res.improvement_percent is None
    assert res.direction == "worsened" and res.meaningful is False
    assert {r.id: r.met for r in res.rules if r.kind == "percent"} == {
        "immpact_substantial": None, "immpact_moderate_percent": None, "immpact_minimal": None}
    assert res.note is not None and "baseline 0" in res.note
    same = change("odi", 0, 0)
    assert same.percent_change is None and same.direction == "unchanged"


def test_instruments_without_rules() -> None:
    res = change("pcs", 30, 10)
    assert res.meaningful is None and res.rules == [] and res.note
    assert res.improvement == 20 and res.percent_change == pytest.approx(-200 / 3)
    promis = change("promis_pi_4a", 60, 50)
    assert promis.meaningful is None and promis.improvement == 10


@pytest.mark.parametrize(
    ("iid", "baseline", "followup", "field"),
    [("nrs", 11, 3, "baseline"), ("nrs", 5, -1, "followup"), ("odi", 50, 101, "followup"),
     ("promis_pi_4a", 30, 50, "baseline"), ("tsk17", 10, 20, "baseline"),
     ("nrs", float("nan"), 2, "baseline")],
)
def test_out_of_range_scores_rejected(iid: str, baseline: float, followup: float,
                                      field: str) -> None:
    with pytest.raises(ValidationFailure) as info:
        change(iid, baseline, followup)
    assert info.value.field == field and info.value.allowed


def test_unknown_instrument() -> None:
    with pytest.raises(ValidationFailure) as info:
        change("vas", 5, 3)
    assert info.value.field == "instrument"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(INSTRUMENT_IDS), st.floats(0, 1), st.floats(0, 1))
def test_change_properties(iid: str, u: float, v: float) -> None:
    d = get_definition(iid)
    lo, hi = d.scoring.min, d.scoring.max
    b, f = lo + u * (hi - lo), lo + v * (hi - lo)
    res = change(iid, b, f)
    assert res.absolute_change == pytest.approx(f - b)
    assert res.improvement == pytest.approx(b - f)
    assert (res.percent_change is None) == (b == 0)
    if not d.change.rules:
        assert res.meaningful is None
    else:
        assert res.meaningful is not None
        if res.improvement <= 0:
            assert res.meaningful is False
        assert res.meaningful == any(
            r.met and r.level in d.change.meaningful_levels for r in res.rules)
