"""Property tests: valid responses score in range, invalid ones are rejected, batch = single."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instruments_strategies import invalid_value, to_answers, valid_response

from painmap.core.errors import ValidationFailure
from painmap.instruments import (
    INSTRUMENT_IDS,
    answers_to_row,
    get_definition,
    score,
    score_batch,
    validate_answers,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid_response())
def test_every_valid_response_scores_within_range(case: tuple[str, Any]) -> None:
    iid, answers = case
    defn = get_definition(iid)
    validate_answers(iid, answers)
    res = score(iid, answers)
    assert 0 <= res.answered <= res.items
    if res.score is None:
        assert res.category is None
        return
    assert defn.scoring.min <= res.score <= defn.scoring.max
    for sub in defn.subscales:
        value = res.subscales[sub.id]
        assert value is None or sub.min <= value <= sub.max
    if defn.categories and res.category is not None:
        assert res.category in defn.category_codes()
    elif defn.categories and iid != "acr2016":
        pytest.fail("scored response without category")


@SETTINGS
@given(valid_response(allow_missing=False))
def test_complete_responses_are_always_scored(case: tuple[str, Any]) -> None:
    iid, answers = case
    res = score(iid, answers)
    assert res.complete and res.score is not None
    assert res.answered == res.items


@SETTINGS
@given(st.data())
def test_every_invalid_answer_is_rejected(data: st.DataObject) -> None:
    iid = data.draw(st.sampled_from(INSTRUMENT_IDS))
    defn = get_definition(iid)
    k = data.draw(st.integers(0, len(defn.items) - 1))
    item = defn.items[k]
    if defn.answer_format == "acr2016" and item.group == "wpi_sites":
        bad_site = data.draw(
            st.text(max_size=8).filter(lambda s: s not in {w.id for w in defn.wpi_sites or []})
            | st.integers()
        )
        answers: Any = {"wpi_sites": ["neck", bad_site], "sss": {}, "duration_months": 4}
        field = "answers.wpi_sites[1]"
    else:
        values: list[Any] = [defn.scale_of(i).values[0] for i in defn.items]
        values[k] = data.draw(invalid_value(defn.scale_of(item)))
        answers = to_answers(defn, values, 3.0)
        if defn.answer_format == "paindetect":
            field = {7: "answers.course", 8: "answers.radiating"}.get(k, f"answers.sensory[{k}]")
        elif defn.answer_format == "acr2016":
            field = f"answers.sss.{item.key}"
        else:
            field = f"answers[{k}]"
    with pytest.raises(ValidationFailure) as info:
        score(iid, answers)
    assert info.value.field == field
    assert info.value.allowed


@SETTINGS
@given(
    st.sampled_from([i for i in INSTRUMENT_IDS if get_definition(i).answer_format == "list"]),
    st.integers(0, 40),
)
def test_wrong_count_rejected(iid: str, n: int) -> None:
    defn = get_definition(iid)
    if n == len(defn.items):
        n += 1
    with pytest.raises(ValidationFailure) as info:
        score(iid, [defn.scale_of(defn.items[0]).values[0]] * n)
    assert info.value.field == "answers"


def _same(a: float | None, b: float) -> bool:
    return (a is None and math.isnan(b)) or (a is not None and a == b)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_batch_equals_single(data: st.DataObject) -> None:
    iid = data.draw(st.sampled_from(INSTRUMENT_IDS))
    defn = get_definition(iid)
    responses = data.draw(st.lists(valid_response(iid), min_size=1, max_size=30))
    max_missing = None
    if defn.missing.method != "none":
        max_missing = data.draw(st.none() | st.integers(0, len(defn.items)))
    rows = np.array([answers_to_row(iid, a) for _, a in responses])
    batch = score_batch(iid, rows, max_missing=max_missing)
    labels = batch.category_labels()
    for i, (_, answers) in enumerate(responses):
        single = score(iid, answers, max_missing=max_missing)
        assert _same(single.score, batch.score[i])
        assert single.answered == batch.answered[i]
        assert single.complete == bool(batch.complete[i])
        assert single.category == labels[i]
        for name, value in single.subscales.items():
            assert _same(value, batch.subscales[name][i])
        for name, flag in single.flags.items():
            assert flag == bool(batch.flags[name][i])
        if batch.criteria_met is not None:
            expected = {True: 1, False: 0, None: -1}[single.criteria_met]
            assert expected == batch.criteria_met[i]


def test_batch_rejects_bad_codes_and_shapes() -> None:
    rows = np.zeros((5, 10))
    rows[3, 4] = 6
    with pytest.raises(ValidationFailure) as info:
        score_batch("odi", rows)
    assert info.value.field == "answers[3, 4]" and info.value.allowed == ["0..5", "NaN"]
    rows[3, 4] = 2.5
    with pytest.raises(ValidationFailure, match=r"answers\[3, 4\]"):
        score_batch("odi", rows)
    with pytest.raises(ValidationFailure) as info:
        score_batch("odi", np.zeros((5, 9)))
    assert info.value.field == "answers"
    for bad in (np.inf, -np.inf, -1.0):
        rows = np.full((4, 10), np.nan)
        rows[2, 7] = bad
        with pytest.raises(ValidationFailure, match=r"answers\[2, 7\]"):
            score_batch("odi", rows, max_missing=10)
    tsk = np.ones((2, 17))
    tsk[1, 16] = 0
    with pytest.raises(ValidationFailure, match=r"answers\[1, 16\]"):
        score_batch("tsk17", tsk)
    pd = np.zeros((1, 9))
    pd[0, 7] = 4
    with pytest.raises(ValidationFailure) as info:
        score_batch("paindetect", pd)
    assert info.value.allowed is not None and "1 = persistent_with_attacks" in info.value.allowed


def test_batch_missing_values_and_empty_input() -> None:
    rows = np.array([[1.0] * 10, [1.0] * 9 + [np.nan], [1.0] * 8 + [np.nan, np.nan]])
    res = score_batch("odi", rows)
    assert res.score[0] == 20.0 and res.score[1] == pytest.approx(20.0) and math.isnan(res.score[2])
    assert res.category_labels() == ["minimal", "minimal", None]
    assert res.answered.tolist() == [10, 9, 8] and res.complete.tolist() == [True, False, False]
    assert len(score_batch("pcs", np.zeros((0, 13)))) == 0
