"""Pain for imaging sessions from the painmap clinical record (linked patients)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from painmap.core.enums import Sex
from painmap.core.errors import ValidationFailure
from painmap.instruments import score
from painmap.neuro.recordlink import SessionLink, pain_from_records
from painmap.record import Encounter, InstrumentRecord, Patient


def _scorer(instrument: str, answers: Any) -> float | None:
    return score(instrument, answers).score


def _patient() -> Patient:
    return Patient(
        id="p-17",
        birth_year=1970,
        sex=Sex.FEMALE,
        encounters=[
            Encounter(
                id="e1",
                date=date(2026, 1, 10),
                records=[
                    InstrumentRecord(instrument="nrs", answers=[7]),
                    InstrumentRecord(instrument="odi", answers=[2] * 10),
                ],
            ),
            Encounter(
                id="e2",
                date=date(2026, 7, 1),
                records=[
                    InstrumentRecord(instrument="nrs", answers=[3]),
                ],
            ),
            Encounter(
                id="e3",
                date=date(2026, 7, 20),
                records=[
                    InstrumentRecord(instrument="nrs", answers=[9]),
                ],
            ),
        ],
    )


def test_closest_encounter_in_window() -> None:
    links = [
        SessionLink("sub-01", "01", "p-17", date(2026, 1, 12)),
        SessionLink("sub-01", "02", "p-17", date(2026, 7, 4)),
        SessionLink("sub-01", "03", "p-17", date(2026, 10, 1)),
    ]
    rows = pain_from_records([_patient()], links, _scorer)
    assert rows[0] == {
        "participant_id": "sub-01",
        "session": "01",
        "pain_nrs": 7.0,
        "odi": 40.0,
        "encounter_date": "2026-01-10",
    }
    assert rows[1]["pain_nrs"] == 3.0 and rows[1]["odi"] is None  # 3 days beats 16 days
    assert rows[2]["pain_nrs"] is None  # nothing within 14 days


def test_unknown_patient_and_bad_window() -> None:
    with pytest.raises(ValidationFailure, match="no patient"):
        pain_from_records(
            [_patient()], [SessionLink("sub-01", "01", "x", date(2026, 1, 1))], _scorer
        )
    with pytest.raises(ValidationFailure, match="window_days"):
        pain_from_records([], [], _scorer, window_days=-1)
