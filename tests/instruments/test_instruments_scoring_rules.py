"""Scoring against the published rules: worked examples, every cut-off, missing data."""

from __future__ import annotations

from typing import Any

import pytest

from painmap.core.errors import ValidationFailure
from painmap.instruments import score


def _sum_answers(n: int, total: int, top: int, low: int = 0) -> list[int]:
    """``n`` answers in ``low..top`` summing to ``total`` (filled from the first item)."""
    out = [low] * n
    rest = total - low * n
    for i in range(n):
        step = min(top - low, rest)
        out[i] += step
        rest -= step
    assert rest == 0
    return out


# --- ODI -------------------------------------------------------------------------------


def test_odi_worked_examples_from_scoring_sheet() -> None:
    full = _sum_answers(10, 16, 5)
    assert score("odi", full).score == pytest.approx(32.0)
    one_missing: list[Any] = [*_sum_answers(9, 16, 5), None]
    res = score("odi", one_missing)
    assert res.score == pytest.approx(16 / 45 * 100)
    assert round(res.score or 0, 2) == 35.56
    assert not res.complete and res.answered == 9


@pytest.mark.parametrize(
    ("raw", "answered", "category"),
    [
        (0, 10, "minimal"),
        (10, 10, "minimal"),  # 20 %
        (11, 10, "moderate"),  # 22 %
        (9, 9, "minimal"),  # 20.0 % with 9 sections
        (10, 9, "moderate"),  # 22.2 %
        (20, 10, "moderate"),  # 40 %
        (21, 10, "severe"),
        (18, 9, "moderate"),  # 40.0 %
        (19, 9, "severe"),  # 42.2 %
        (30, 10, "severe"),  # 60 %
        (31, 10, "crippled"),
        (40, 10, "crippled"),  # 80 %
        (41, 10, "bed_bound"),
        (50, 10, "bed_bound"),
    ],
)
def test_odi_bands(raw: int, answered: int, category: str) -> None:
    answers: list[Any] = _sum_answers(answered, raw, 5) + [None] * (10 - answered)
    res = score("odi", answers)
    assert res.score == pytest.approx(raw / (5 * answered) * 100)
    assert res.category == category


def test_odi_missing_policy() -> None:
    two_missing: list[Any] = [3] * 8 + [None, None]
    res = score("odi", two_missing)
    assert res.score is None and res.category is None and res.max_missing == 1
    assert res.note is not None and "2 of 10" in res.note
    allowed = score("odi", two_missing, max_missing=2)
    assert allowed.score == pytest.approx(24 / 40 * 100)
    assert score("odi", [None] * 10, max_missing=10).score is None
    strict = score("odi", [*[1] * 9, None], max_missing=0)
    assert strict.score is None


def test_max_missing_rejected_where_no_rule() -> None:
    with pytest.raises(ValidationFailure) as info:
        score("startback", [0] * 9, max_missing=1)
    assert info.value.field == "max_missing" and info.value.allowed == ["0"]
    with pytest.raises(ValidationFailure):
        score("odi", [0] * 10, max_missing=-1)


# --- RMDQ ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "category"),
    [(0, "functional"), (4, "functional"), (5, "dysfunctional"), (24, "dysfunctional")],
)
def test_rmdq_total_and_functional_threshold(total: int, category: str) -> None:
    res = score("rmdq", _sum_answers(24, total, 1))
    assert res.score == total and res.category == category and res.max == 24


def test_rmdq_missing_default_rejects_and_prorates_when_allowed() -> None:
    answers: list[Any] = [1] * 10 + [0] * 12 + [None, None]
    assert score("rmdq", answers).score is None
    res = score("rmdq", answers, max_missing=2)
    assert res.score == pytest.approx(10 * 24 / 22)
    assert res.raw == 10


# --- STarT Back ------------------------------------------------------------------------


def _startback(physical: int, psych_agree: int, bother: int) -> list[int]:
    return _sum_answers(4, physical, 1) + _sum_answers(4, psych_agree, 1) + [bother]


@pytest.mark.parametrize(
    ("answers", "total", "psych", "category"),
    [
        (_startback(0, 0, 0), 0, 0, "low"),
        (_startback(3, 0, 2), 3, 0, "low"),  # total 3: low
        (_startback(0, 3, 0), 3, 3, "low"),
        (_startback(1, 3, 0), 4, 3, "medium"),  # total 4, psychosocial 3: medium
        (_startback(4, 2, 3), 7, 3, "medium"),  # 'very much' scores 1
        (_startback(0, 3, 3), 4, 4, "high"),  # psychosocial 4: high
        (_startback(0, 4, 2), 4, 4, "high"),  # 'moderately' scores 0
        (_startback(4, 4, 4), 9, 5, "high"),
    ],
)
def test_startback_groups(answers: list[int], total: int, psych: int, category: str) -> None:
    res = score("startback", answers)
    assert res.score == total
    assert res.subscales == {"psychosocial": psych}
    assert res.category == category


@pytest.mark.parametrize(("bother", "points"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_startback_item9_positive_only_very_much_or_extremely(bother: int, points: int) -> None:
    assert score("startback", [0] * 8 + [bother]).score == points


def test_startback_incomplete_not_scored() -> None:
    res = score("startback", [1] * 8 + [None])
    assert res.score is None and res.category is None and res.subscales["psychosocial"] is None


# --- painDETECT ------------------------------------------------------------------------


def _pd(sensory_total: int, course: str, radiating: bool) -> dict[str, Any]:
    return {"sensory": _sum_answers(7, sensory_total, 5), "course": course, "radiating": radiating}


@pytest.mark.parametrize(
    ("answers", "total", "category"),
    [
        (_pd(0, "persistent_with_attacks", False), -1, "unlikely"),
        (_pd(12, "persistent_slight_fluctuations", False), 12, "unlikely"),
        (_pd(13, "persistent_slight_fluctuations", False), 13, "unclear"),
        (_pd(10, "attacks_pain_free_between", True), 13, "unclear"),
        (_pd(14, "persistent_with_attacks", False), 13, "unclear"),
        (_pd(16, "attacks_pain_between", True), 19, "likely"),
        (_pd(18, "persistent_slight_fluctuations", False), 18, "unclear"),
        (_pd(17, "persistent_with_attacks", True), 18, "unclear"),
        (_pd(19, "persistent_slight_fluctuations", False), 19, "likely"),
        (_pd(35, "attacks_pain_between", True), 38, "likely"),
    ],
)
def test_paindetect_thresholds(answers: dict[str, Any], total: int, category: str) -> None:
    res = score("paindetect", answers)
    assert res.score == total and res.category == category
    assert res.min == -1 and res.max == 38


def test_paindetect_incomplete_not_scored() -> None:
    res = score("paindetect", {"sensory": [1] * 7, "course": None, "radiating": True})
    assert res.score is None and res.answered == 8


# --- PCS -------------------------------------------------------------------------------


def test_pcs_subscales_use_published_items() -> None:
    answers = [0] * 13
    for item in (8, 9, 10, 11):
        answers[item - 1] = 4
    for item in (6, 7, 13):
        answers[item - 1] = 2
    for item in (1, 2, 3, 4, 5, 12):
        answers[item - 1] = 1
    res = score("pcs", answers)
    assert res.subscales == {"rumination": 16, "magnification": 6, "helplessness": 6}
    assert res.score == 28


@pytest.mark.parametrize(
    ("total", "category"),
    [
        (0, "below_threshold"),
        (29, "below_threshold"),
        (30, "clinically_relevant"),
        (52, "clinically_relevant"),
    ],
)
def test_pcs_cutoff_30(total: int, category: str) -> None:
    assert score("pcs", _sum_answers(13, total, 4)).category == category


def test_pcs_prorating_when_allowed() -> None:
    answers: list[Any] = [2] * 12 + [None]
    assert score("pcs", answers).score is None
    res = score("pcs", answers, max_missing=1)
    assert res.score == pytest.approx(24 * 13 / 12)
    assert res.subscales["magnification"] == pytest.approx(4 * 3 / 2)
    assert res.subscales["rumination"] == 8


# --- CSI -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "category", "flag"),
    [
        (0, "subclinical", False),
        (29, "subclinical", False),
        (30, "mild", False),
        (39, "mild", False),
        (40, "moderate", True),
        (49, "moderate", True),
        (50, "severe", True),
        (59, "severe", True),
        (60, "extreme", True),
        (100, "extreme", True),
    ],
)
def test_csi_severity_and_cutoff_40(total: int, category: str, flag: bool) -> None:
    res = score("csi", _sum_answers(25, total, 4))
    assert res.score == total and res.category == category
    assert res.flags == {"central_sensitivity_syndrome_likely": flag}


# --- TSK-17 ----------------------------------------------------------------------------


def test_tsk_reversed_items() -> None:
    assert score("tsk17", [1] * 17).score == 13 * 1 + 4 * 4
    assert score("tsk17", [4] * 17).score == 13 * 4 + 4 * 1
    answers = [1] * 17
    answers[3] = 4  # item 4 is reversed: 'strongly agree' scores 1
    assert score("tsk17", answers).score == 13 * 1 + 3 * 4 + 1


def _tsk_total(total: int) -> list[int]:
    # Non-reversed items carry the total; reversed items answered 4 (= 1 point each).
    plain = _sum_answers(13, total - 4, 4, low=1)
    out, it = [], iter(plain)
    for i in range(1, 18):
        out.append(4 if i in (4, 8, 12, 16) else next(it))
    return out


@pytest.mark.parametrize(
    ("total", "category"), [(17, "not_high"), (37, "not_high"), (38, "high"), (68, "high")]
)
def test_tsk_cutoff_37(total: int, category: str) -> None:
    res = score("tsk17", _tsk_total(total) if total < 68 else [4, 4, 4, 1] * 4 + [4])
    assert res.score == total and res.category == category


# --- NRS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0, "none"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (9, "severe"),
        (10, "excruciating"),
    ],
)
def test_nrs(value: int, category: str) -> None:
    res = score("nrs", [value])
    assert res.score == value and res.category == category
    assert score("nrs", [None]).score is None


# --- PROMIS PI 4a ----------------------------------------------------------------------

PROMIS_PI_4A = {
    4: (41.6, 6.1),
    5: (49.6, 2.5),
    6: (52.0, 2.0),
    7: (53.9, 1.9),
    8: (55.6, 1.9),
    9: (57.1, 1.9),
    10: (58.5, 1.8),
    11: (59.9, 1.8),
    12: (61.2, 1.8),
    13: (62.5, 1.8),
    14: (63.8, 1.8),
    15: (65.2, 1.8),
    16: (66.6, 1.8),
    17: (68.0, 1.8),
    18: (69.7, 1.9),
    19: (71.6, 2.1),
    20: (75.6, 3.7),
}


@pytest.mark.parametrize("raw", sorted(PROMIS_PI_4A))
def test_promis_pi_4a_table(raw: int) -> None:
    res = score("promis_pi_4a", _sum_answers(4, raw, 5, low=1))
    t, se = PROMIS_PI_4A[raw]
    assert res.raw == raw
    assert res.score == t and res.t_score == t and res.standard_error == se


def test_promis_needs_all_four_items() -> None:
    assert score("promis_pi_4a", [1, 2, 3, None]).score is None


# --- ACR 2016 --------------------------------------------------------------------------

AXIAL = ["neck", "upper_back", "lower_back"]
LIMBS = [
    "shoulder_l",
    "shoulder_r",
    "hip_l",
    "hip_r",
    "upper_arm_l",
    "upper_arm_r",
    "upper_leg_l",
    "upper_leg_r",
    "lower_arm_l",
    "lower_arm_r",
    "lower_leg_l",
    "lower_leg_r",
]


def _sss(total: int) -> dict[str, int]:
    a = _sum_answers(3, min(total, 9), 3)
    b = _sum_answers(3, max(total - 9, 0), 1)
    return dict(
        zip(
            ["fatigue", "unrefreshed", "cognitive", "headache", "abdominal", "depression"],
            a + b,
            strict=True,
        )
    )


def _acr(sites: list[str], sss: int, months: float | None = 6) -> dict[str, Any]:
    return {"wpi_sites": sites, "sss": _sss(sss), "duration_months": months}


GENERALIZED_7 = ["neck", "shoulder_l", "shoulder_r", "hip_l", "hip_r", "lower_back", "upper_back"]


@pytest.mark.parametrize(
    ("answers", "met", "parts"),
    [
        (_acr(GENERALIZED_7, 5), True, (True, True, True)),
        (_acr(GENERALIZED_7, 4), False, (False, True, True)),
        (_acr(GENERALIZED_7[:6], 5), False, (False, True, True)),  # WPI 6, SSS 5
        (_acr(["neck", "shoulder_l", "shoulder_r", "hip_l"], 9), True, (True, True, True)),
        (_acr(["neck", "shoulder_l", "shoulder_r", "hip_l"], 8), False, (False, True, True)),
        (_acr(["neck", "shoulder_l", "shoulder_r"], 12), False, (False, False, True)),  # WPI 3
        # Jaw, chest and abdomen do not count towards generalized pain:
        (
            _acr(["jaw_l", "jaw_r", "chest", "abdomen", "neck", "hip_l", "hip_r"], 6),
            False,
            (True, False, True),
        ),
        (_acr(GENERALIZED_7, 5, months=2.9), False, (True, True, False)),
        (_acr(GENERALIZED_7, 5, months=3), True, (True, True, True)),
        (_acr(GENERALIZED_7, 5, months=None), None, (True, True, None)),
        (_acr(GENERALIZED_7[:3], 5, months=None), False, (False, False, None)),
    ],
)
def test_acr2016_criteria(
    answers: dict[str, Any], met: bool | None, parts: tuple[bool | None, ...]
) -> None:
    res = score("acr2016", answers)
    assert res.criteria_met is met
    assert res.criteria == dict(
        zip(["severity", "generalized_pain", "duration"], parts, strict=True)
    )
    wpi = len(answers["wpi_sites"])
    assert res.subscales["wpi"] == wpi
    assert res.score == wpi + sum(answers["sss"].values())
    expected = None if met is None else "criteria_met" if met else "criteria_not_met"
    assert res.category == expected


def test_acr2016_generalized_region_count() -> None:
    res = score("acr2016", _acr(["jaw_l", "upper_arm_r", "lower_leg_l", "chest"], 0))
    assert res.subscales["generalized_regions"] == 2
    assert score("acr2016", _acr(LIMBS + AXIAL, 12)).subscales["generalized_regions"] == 5


def test_odi_whole_percentages_are_exact() -> None:
    # raw x 100 / (5 x answered): no 14.000000000000002 in the output.
    assert score("odi", [5, 2, 0, 0, 0, 0, 0, 0, 0, 0]).score == 14.0
    assert score("odi", [5, 5, 5, 5, 5, 4, 0, 0, 0, 0]).score == 58.0
    assert score("odi", [5, 5, 1, None, 0, 0, 0, 0, 0, 0]).score == pytest.approx(11 / 45 * 100)
