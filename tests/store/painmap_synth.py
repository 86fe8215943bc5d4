"""A small synthetic cohort built straight from the record models (all 7 kinds).

Deterministic for a seed. Used by the store, interop and CLI tests (the demo generator
``painmap demo`` is tested on top of this in the round-trip tests).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from painmap.bodymap import REGION_IDS
from painmap.core.enums import (
    BlockDesign,
    BlockType,
    ElectroFinding,
    ElectroTest,
    FindingResult,
    ImagingFinding,
    Root,
    Sex,
    Side,
    SpinalLevel,
    Structure,
    TreatmentType,
)
from painmap.instruments import get_definition
from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    Encounter,
    ExamRecord,
    ImagingRecord,
    InstrumentRecord,
    PainDrawingRecord,
    Patient,
    TreatmentRecord,
)

#: Instruments answered as a list of item values.
LIST_INSTRUMENTS = ("nrs", "odi", "rmdq", "pcs", "startback", "promis_pi_4a")

KINDS = (
    "pain_drawing",
    "instrument",
    "exam",
    "imaging",
    "electrodiagnostic",
    "block",
    "treatment",
)


def answers(rng: random.Random, instrument: str, *, missing: float = 0.0) -> list[object]:
    """Valid answers for a list-answered instrument (some missing when asked)."""
    defn = get_definition(instrument)
    out: list[object] = []
    for item in defn.items:
        if rng.random() < missing:
            out.append(None)
        else:
            out.append(rng.choice(defn.scales[item.scale].values))
    return out


def drawing(rng: random.Random) -> PainDrawingRecord:
    """A drawing with region marks and raw freehand strokes (non-trivial floats)."""
    regions = rng.sample(REGION_IDS, rng.randint(0, 6))
    marks = [
        {
            "id": r,
            "intensity": rng.randint(1, 10),
            "qualities": rng.sample(["aching", "burning", "numbness"], rng.randint(0, 2)),
        }
        for r in regions
    ]
    strokes = [
        {
            "view": rng.choice(["front", "back"]),
            "points": [
                (round(rng.uniform(0, 400), 3), round(rng.uniform(0, 1000), 3))
                for _ in range(rng.randint(1, 15))
            ],
            "width": rng.choice([4.0, 8.5, 12.0]),
            "intensity": rng.randint(0, 10),
            "quality": rng.choice([None, "shooting", "electric"]),
        }
        for _ in range(rng.randint(0, 3))
    ]
    return PainDrawingRecord.model_validate({"marks": marks, "strokes": strokes})


def record(rng: random.Random, kind: str, visit: date) -> object:
    """One record of the given kind."""
    level = rng.choice(list(SpinalLevel))
    side = rng.choice(list(Side))
    if kind == "pain_drawing":
        return drawing(rng)
    if kind == "instrument":
        inst = rng.choice(LIST_INSTRUMENTS)
        return InstrumentRecord(instrument=inst, answers=answers(rng, inst, missing=0.05))
    if kind == "exam":
        return ExamRecord(
            test=rng.choice(["slr", "slump", "kemp", "thigh_thrust", "faber"]),
            result=rng.choice(list(FindingResult)),
            level=rng.choice([None, level]),
            side=side,
        )
    if kind == "imaging":
        return ImagingRecord(finding=rng.choice(list(ImagingFinding)), level=level, side=side)
    if kind == "electrodiagnostic":
        return ElectrodiagnosticRecord(
            test=rng.choice(list(ElectroTest)),
            target=rng.choice(["tibialis_anterior", "gastrocnemius", "peroneal"]),
            finding=rng.choice(list(ElectroFinding)),
            root=rng.choice([None, Root.L5, Root.S1]),
            side=rng.choice([Side.LEFT, Side.RIGHT]),
        )
    if kind == "block":
        pre = rng.randint(4, 10)
        return BlockRecord(
            type=rng.choice(list(BlockType)),
            levels=rng.sample(list(SpinalLevel), rng.randint(1, 2)),
            side=rng.choice([Side.LEFT, Side.RIGHT, Side.BILATERAL]),
            design=rng.choice(list(BlockDesign)),
            pre_pain=pre,
            post_pain=round(rng.uniform(0, pre), 1),
        )
    start = visit + timedelta(days=rng.randint(0, 30))
    return TreatmentRecord(
        type=rng.choice(list(TreatmentType)),
        target=rng.choice([None, *Structure]),
        level=rng.choice([None, level]),
        side=rng.choice([None, side]),
        start=start,
        end=rng.choice([None, start + timedelta(days=rng.randint(0, 200))]),
        note=rng.choice([None, "tolerated well", "ünïcode ✓ note"]),
    )


def patient(rng: random.Random, pid: str, *, visits: int | None = None) -> Patient:
    """One synthetic patient with a few dated encounters."""
    first = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
    n = rng.randint(1, 5) if visits is None else visits
    encounters = []
    day = first
    for j in range(n):
        kinds = rng.sample(KINDS, rng.randint(0, len(KINDS)))
        encounters.append(
            Encounter(
                id=f"v{j + 1}",
                date=day,
                records=[record(rng, k, day) for k in kinds],  # type: ignore[misc]
            )
        )
        day += timedelta(days=rng.randint(14, 200))
    return Patient(
        id=pid,
        birth_year=rng.randint(1940, 2000),
        sex=rng.choice(list(Sex)),
        pain_onset=rng.choice([None, first - timedelta(days=rng.randint(1, 2000))]),
        encounters=encounters,
    )


def cohort(n: int, seed: int = 0, prefix: str = "S") -> list[Patient]:
    """``n`` synthetic patients with ids ``<prefix>0001``..., deterministic for ``seed``."""
    rng = random.Random(seed)
    return [patient(rng, f"{prefix}{i:04d}") for i in range(1, n + 1)]


def all_kinds_patient(pid: str = "ALL0001") -> Patient:
    """A patient whose single encounter holds one record of every kind."""
    rng = random.Random(7)
    visit = date(2023, 5, 2)
    recs = [record(rng, k, visit) for k in KINDS]
    recs[1] = InstrumentRecord(instrument="odi", answers=[1, 2, 3, 0, 1, 2, 3, 4, 5, 0])
    return Patient(
        id=pid,
        birth_year=1971,
        sex=Sex.FEMALE,
        pain_onset=date(2022, 1, 15),
        encounters=[Encounter(id="v1", date=visit, records=recs)],  # type: ignore[arg-type]
    )
