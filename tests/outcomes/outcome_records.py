"""Hand-made patients for the outcome tests (imported by the test modules)."""

from __future__ import annotations

from datetime import date, timedelta

from painmap.core.enums import Sex, Side, SpinalLevel, Structure, TreatmentType
from painmap.record.models import Encounter, InstrumentRecord, Patient, TreatmentRecord

START = date(2024, 1, 10)


def nrs(value: int) -> InstrumentRecord:
    return InstrumentRecord(instrument="nrs", answers=[value])


def odi(sections: list[int]) -> InstrumentRecord:
    return InstrumentRecord(instrument="odi", answers=sections)


def make_patient(
    pid: str,
    visits: dict[int, int],
    *,
    start: date = START,
    treatments: list[tuple[TreatmentType, int]] | None = None,
) -> Patient:
    """A patient with NRS scores on days relative to ``start`` and RFA at day 0.

    ``visits`` maps day offset -> NRS; ``treatments`` (type, day offset) default to one
    radiofrequency ablation of the left L4-L5 facet on day 0.
    """
    encs = [Encounter(id=f"{pid}-d{d + 1000}", date=start + timedelta(days=d),
                      records=[nrs(v)]) for d, v in sorted(visits.items())]
    for k, (ttype, day) in enumerate(treatments or [(TreatmentType.RADIOFREQUENCY_ABLATION, 0)]):
        encs.append(Encounter(id=f"{pid}-tx{k}", date=start + timedelta(days=day), records=[
            TreatmentRecord(type=ttype, target=Structure.FACET, level=SpinalLevel.L4_L5,
                            side=Side.LEFT, start=start + timedelta(days=day))]))
    return Patient(id=pid, birth_year=1960, sex=Sex.FEMALE, encounters=encs)
