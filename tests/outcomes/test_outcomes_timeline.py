"""Windows, nearest visits, baselines and episodes on hand-made records."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from outcome_records import make_patient

from painmap.core.enums import TreatmentType
from painmap.outcomes import frames_from_patients, outcome_table, target_matches
from painmap.outcomes.windows import WINDOWS


def _nrs_rows(table: pd.DataFrame, episode: int = 1) -> dict[int, pd.Series]:
    rows = table[(table["instrument"] == "nrs") & (table["episode"] == episode)]
    return {int(r["month"]): r for _, r in rows.iterrows()}


def test_windows_do_not_overlap_and_contain_their_target() -> None:
    for a, b in itertools.pairwise(WINDOWS):
        assert a.last_day < b.first_day
    for w in WINDOWS:
        assert w.first_day <= w.target_day <= w.last_day


def test_nearest_visit_and_window_without_visit() -> None:
    # baseline day -9 (8); day 20 (4) and day 38 (5) in the 1-month window: 38 is nearer
    # to 30; day 50 is between windows; nothing in the 6-month window; day 370 (6).
    p = make_patient("p1", {-9: 8, 20: 4, 38: 5, 50: 1, 100: 6, 370: 6})
    rows = _nrs_rows(outcome_table(frames_from_patients([p])))
    assert set(rows) == {1, 3, 6, 12}
    assert rows[1]["baseline"] == 8 and rows[1]["followup"] == 5 and rows[1]["days"] == 38
    assert rows[1]["responder_level"] == "moderate"      # 3 points, 37.5 %
    assert rows[3]["followup"] == 6 and rows[3]["responder_level"] == "moderate"  # 2 points
    assert math.isnan(rows[6]["followup"])                # window with no visit
    assert rows[6]["responder_level"] is None and rows[6]["meaningful"] is None
    assert rows[12]["followup"] == 6 and rows[12]["days"] == 370


def test_tie_goes_to_the_earlier_visit() -> None:
    p = make_patient("p2", {0: 8, 25: 3, 35: 7})          # both 5 days from day 30
    rows = _nrs_rows(outcome_table(frames_from_patients([p])))
    assert rows[1]["followup"] == 3 and rows[1]["days"] == 25
    assert rows[1]["baseline"] == 8                      # same-day score counts as baseline


def test_baseline_must_be_recent_and_before_the_start() -> None:
    p = make_patient("p3", {-100: 9, 30: 3})             # baseline 100 days earlier: too old
    rows = _nrs_rows(outcome_table(frames_from_patients([p])))
    assert math.isnan(rows[1]["baseline"]) and rows[1]["followup"] == 3
    assert rows[1]["meaningful"] is None
    p = make_patient("p4", {-90: 9, -30: 7, 30: 3})      # latest one within 90 days
    rows = _nrs_rows(outcome_table(frames_from_patients([p])))
    assert rows[1]["baseline"] == 7


def test_follow_up_stops_at_the_next_episode() -> None:
    p = make_patient(
        "p5", {-5: 8, 30: 4, 90: 7, 180: 2, 200: 2},
        treatments=[(TreatmentType.MEDICATION, 0), (TreatmentType.RADIOFREQUENCY_ABLATION, 150)],
    )
    table = outcome_table(frames_from_patients([p]))
    first = _nrs_rows(table, 1)
    assert first[1]["followup"] == 4 and first[3]["followup"] == 7
    assert math.isnan(first[6]["followup"])              # day 180 belongs to episode 2
    second = _nrs_rows(table, 2)
    assert second[1]["baseline"] == 7                    # day 90 is within 90 days of day 150
    assert second[1]["followup"] == 2 and second[1]["days"] == 30
    assert second[1]["type"] == "radiofrequency_ablation"


@pytest.mark.parametrize(("candidate", "target", "level", "side", "expected"), [
    ("facet:L4-L5:left", "facet", "L4-L5", "left", True),
    ("facet:L4-L5:left", "facet", "L4-L5", "bilateral", True),
    ("facet:L4-L5:left", "facet", "L4-L5", "right", False),
    ("facet:L4-L5:left", "facet", "L5-S1", "left", False),
    ("disc:L4-L5", "facet", "L4-L5", None, False),
    ("disc:L4-L5", "disc", "L4-L5", "midline", True),
    ("sij:right", "sij", None, "right", True),
    ("nociplastic", "nociplastic", None, None, True),
])
def test_target_matches(candidate: str, target: str, level: str | None, side: str | None,
                        expected: bool) -> None:
    assert target_matches(candidate, target, level, None, side) is expected
