"""Time to loss of response and Kaplan-Meier, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from outcome_records import make_patient

from painmap.outcomes import durability_table, frames_from_patients, kaplan_meier, outcome_table


def test_durability_rules_on_hand_made_patients() -> None:
    patients = [
        make_patient("a", {0: 8, 30: 3, 91: 3, 183: 7, 365: 2}),  # lost at the 6-month visit
        make_patient("b", {0: 8, 30: 3, 183: 4}),                 # 3 m missed; censored at 183
        make_patient("c", {0: 8, 30: 7, 91: 2}),                  # 1-month non-responder
        make_patient("d", {0: 8, 91: 4, 365: 4}),                 # 1 m missed; responds at 3 m
        make_patient("e", {0: 8, 183: 2}),                        # no 1- or 3-month visit
    ]
    dur = durability_table(outcome_table(frames_from_patients(patients))).set_index("patient_id")
    assert dur.loc["a", "responded"] and dur.loc["a", "lost"] == 1
    assert dur.loc["a", "duration_days"] == 183               # first loss; later relief ignored
    assert dur.loc["b", "responded"] and dur.loc["b", "lost"] == 0
    assert dur.loc["b", "duration_days"] == 183
    assert not dur.loc["c", "responded"] and math.isnan(dur.loc["c", "duration_days"])
    assert dur.loc["d", "responded"] and dur.loc["d", "lost"] == 0
    assert dur.loc["d", "duration_days"] == 365
    assert pd.isna(dur.loc["e", "responded"])


def test_kaplan_meier_by_hand() -> None:
    # Four responders: lost at 90; censored at 180; lost at 180; censored at 365.
    # S(90) = 3/4. At 180, 3 at risk and 1 lost (the censoring at the same time counts
    # as still at risk): S(180) = 3/4 * 2/3 = 1/2. Nothing lost after: S stays 1/2.
    # Median = 180 (first time S <= 0.5).
    dur = pd.DataFrame({
        "patient_id": list("wxyz"), "episode": 1, "type": "rfa", "target": "facet",
        "responded": pd.array([True] * 4, dtype="boolean"),
        "duration_days": [90.0, 180.0, 180.0, 365.0], "lost": [1.0, 0.0, 1.0, 0.0],
    })
    (curve,) = kaplan_meier(dur, by="type")
    t = curve.table.set_index("days")
    assert t.loc[90.0, "survival"] == pytest.approx(0.75)
    assert t.loc[180.0, "survival"] == pytest.approx(0.5)
    assert t.loc[180.0, "at_risk"] == 3 and t.loc[180.0, "lost"] == 1
    assert t.loc[180.0, "censored"] == 1
    assert t.loc[365.0, "survival"] == pytest.approx(0.5)
    assert curve.median_days == 180.0 and curve.n == 4


def test_kaplan_meier_ignores_non_responders_and_groups() -> None:
    dur = pd.DataFrame({
        "patient_id": list("abcd"), "episode": 1,
        "type": ["rfa", "rfa", "physio", "physio"], "target": "facet",
        "responded": pd.array([True, False, True, None], dtype="boolean"),
        "duration_days": [100.0, np.nan, 200.0, np.nan], "lost": [1.0, np.nan, 0.0, np.nan],
    })
    curves = {c.group: c for c in kaplan_meier(dur, by="type")}
    assert curves["rfa"].n == 1 and curves["rfa"].median_days == 100.0
    assert curves["physio"].n == 1 and math.isinf(curves["physio"].median_days)
