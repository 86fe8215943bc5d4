"""Scores stored by the bulk path equal ``painmap.instruments.score`` row by row."""

from __future__ import annotations

import random

import pytest
from painmap_synth import LIST_INSTRUMENTS, answers, cohort

from painmap.record.models import InstrumentRecord
from painmap.store.columns import score_columns, score_many


def _instrument_records(patients: list) -> list[InstrumentRecord]:  # type: ignore[type-arg]
    return [
        r
        for p in patients
        for e in p.encounters
        for r in e.records
        if isinstance(r, InstrumentRecord)
    ]


def _same(a: dict, b: dict) -> None:  # type: ignore[type-arg]
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], float):
            assert b[k] == pytest.approx(a[k], rel=1e-12, abs=1e-12), k
        elif isinstance(a[k], dict):
            assert b[k] is not None and set(a[k]) == set(b[k]), k
            for name, value in a[k].items():
                if value is None:
                    assert b[k][name] is None, name
                else:
                    assert b[k][name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
        else:
            assert a[k] == b[k], k


@pytest.mark.parametrize("instrument", LIST_INSTRUMENTS)
def test_batch_scores_equal_single_scores(instrument: str) -> None:
    rng = random.Random(instrument)
    records = [
        InstrumentRecord(instrument=instrument, answers=answers(rng, instrument, missing=m))
        for m in (0.0, 0.1, 0.3, 0.6)
        for _ in range(60)
    ]
    for rec, batch in zip(records, score_many(records), strict=True):
        _same(score_columns(rec), batch)


def test_batch_scores_equal_single_scores_on_cohorts() -> None:
    from painmap.demo import generate_cohort  # the synthetic demo cohort (all instruments)

    records = _instrument_records(cohort(80, seed=12)) + _instrument_records(
        generate_cohort(40, seed=3)
    )
    assert {r.instrument for r in records} >= {"nrs", "odi"}
    for rec, batch in zip(records, score_many(records), strict=True):
        _same(score_columns(rec), batch)
