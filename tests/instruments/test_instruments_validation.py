"""validate_answers: field paths, allowed values, unknown instruments."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from painmap.core.errors import ValidationFailure
from painmap.instruments import INSTRUMENT_IDS, validate_answers
from painmap.record.models import InstrumentRecord


def _fails(instrument: str, answers: Any) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        validate_answers(instrument, answers)
    return info.value


def test_unknown_instrument_lists_ids() -> None:
    err = _fails("oswestry", [0])
    assert err.field == "instrument"
    assert err.allowed == list(INSTRUMENT_IDS)


@pytest.mark.parametrize(
    ("instrument", "answers", "field", "allowed"),
    [
        ("odi", [0, 1, 2, 6, 0, 0, 0, 0, 0, 0], "answers[3]", ["0..5", "null"]),
        ("odi", [0] * 9, "answers", ["10 values (null for missing)"]),
        ("nrs", [11], "answers[0]", ["0..10", "null"]),
        ("nrs", [-1], "answers[0]", ["0..10", "null"]),
        ("nrs", [5.5], "answers[0]", ["0..10", "null"]),
        ("rmdq", [0] * 23 + [2], "answers[23]", ["0", "1", "null"]),
        ("startback", [0] * 8 + [5], "answers[8]", ["0..4", "null"]),
        ("startback", [True] + [0] * 8, "answers[0]", ["0", "1", "null"]),
        ("tsk17", [0] * 17, "answers[0]", ["1..4", "null"]),
        ("pcs", [0] * 12 + ["4"], "answers[12]", ["0..4", "null"]),
        ("promis_pi_4a", [1, 2, 3, 0], "answers[3]", ["1..5", "null"]),
        ("csi", {"csi_1": 5}, "answers.csi_1", ["0..4", "null"]),
        (
            "paindetect",
            {"sensory": [0, 0, 9, 0, 0, 0, 0], "course": None, "radiating": True},
            "answers.sensory[2]",
            ["0..5", "null"],
        ),
        (
            "paindetect",
            {"sensory": [0] * 7, "course": None, "radiating": 1},
            "answers.radiating",
            ["true", "false", "null"],
        ),
        (
            "acr2016",
            {"wpi_sites": [], "sss": {"fatigue": 4}, "duration_months": 3},
            "answers.sss.fatigue",
            ["0..3", "null"],
        ),
        (
            "acr2016",
            {"wpi_sites": [], "sss": {}, "duration_months": -1},
            "answers.duration_months",
            [">= 0", "null"],
        ),
    ],
)
def test_bad_answer_names_field_and_allowed(
    instrument: str, answers: Any, field: str, allowed: list[str]
) -> None:
    err = _fails(instrument, answers)
    assert err.field == field
    assert err.allowed == allowed
    assert field in str(err)


def test_message_names_the_item() -> None:
    err = _fails("odi", [0, 0, 0, 0, 0, 0, 0, 9, 0, 0])
    assert "odi_8" in str(err)


def test_unknown_keys_rejected() -> None:
    assert _fails("odi", {"odi_11": 1}).field == "answers.odi_11"
    assert _fails("paindetect", {"sensory": [0] * 7, "pattern": 1}).field == "answers.pattern"
    err = _fails("acr2016", {"wpi_sites": ["neck", "wrist_l"]})
    assert err.field == "answers.wpi_sites[1]"
    assert err.allowed is not None and "lower_back" in err.allowed
    assert _fails("acr2016", {"wpi_sites": ["neck", "neck"]}).field == "answers.wpi_sites[1]"


def test_wrong_container_rejected() -> None:
    assert _fails("odi", "0,1,2").field == "answers"
    assert _fails("paindetect", [0] * 9).field == "answers"
    assert _fails("paindetect", {"sensory": [0] * 6}).field == "answers.sensory"


def test_valid_answers_pass() -> None:
    validate_answers("odi", [0, 1, 2, 3, 4, 5, None, 0, 0, 0])
    validate_answers("odi", {"odi_1": 3})
    validate_answers("nrs", [7.0])
    validate_answers(
        "paindetect",
        {"sensory": [5, 4, 3, 2, 1, 0, None], "course": "attacks_pain_between", "radiating": False},
    )
    validate_answers("acr2016", {"wpi_sites": ["neck", "hip_l"], "sss": {"fatigue": 3}})


def test_instrument_record_uses_validation() -> None:
    InstrumentRecord(instrument="odi", answers=[1] * 10)
    with pytest.raises(ValidationError, match=r"answers\[0\]"):
        InstrumentRecord(instrument="odi", answers=[7] + [1] * 9)
