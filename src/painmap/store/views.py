"""Read models the store returns: patient summaries, timeline entries, charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from painmap.record.models import Patient, Record


class PatientSummary(BaseModel):
    """One line of the patient list (no clinical content)."""

    model_config = ConfigDict(frozen=True)

    id: str
    birth_year: int
    sex: str
    pain_onset: date | None
    encounters: int
    first_visit: date | None
    last_visit: date | None


class StoredScore(BaseModel):
    """An instrument's score as computed when the record was stored."""

    model_config = ConfigDict(frozen=True)

    instrument: str
    score: float | None
    max: float | None
    category: str | None
    complete: bool | None
    answered: int | None
    subscales: dict[str, Any] | None


class TimelineEntry(BaseModel):
    """One record of a patient's timeline, with its encounter and stored score."""

    model_config = ConfigDict(frozen=True)

    encounter_id: str
    date: date
    position: int
    kind: str
    record: Record
    score: StoredScore | None = None


class PatientChart(BaseModel):
    """A whole patient (the interchange model) plus the timeline with scores."""

    model_config = ConfigDict(frozen=True)

    patient: Patient
    entries: list[TimelineEntry]

    def scores(self) -> list[dict[str, Any]]:
        """Stored instrument scores as plain dicts (encounter, date, position, score...)."""
        out: list[dict[str, Any]] = []
        for e in self.entries:
            if e.score is not None:
                out.append(
                    {
                        "encounter_id": e.encounter_id,
                        "date": e.date.isoformat(),
                        "position": e.position,
                        **e.score.model_dump(mode="json"),
                    }
                )
        return out
