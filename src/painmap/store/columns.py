"""Typed query columns derived from a record (the raw record is always kept as JSON).

Instrument records are scored here, when stored, with :func:`painmap.instruments.score`,
so that SQL analytics and ``painmap patient show`` see the score next to the answers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

from painmap.instruments import answers_to_row, get_definition, score, score_batch
from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    ExamRecord,
    ImagingRecord,
    InstrumentRecord,
    PainDrawingRecord,
    Record,
    TreatmentRecord,
)

#: Typed columns of ``records`` filled from a record; every other one is NULL.
TYPED_COLUMNS: tuple[str, ...] = (
    "code",
    "instrument",
    "score",
    "score_max",
    "score_category",
    "score_complete",
    "score_answered",
    "subscales",
    "treatment_type",
    "target",
    "level",
    "side",
    "root",
    "start_date",
    "end_date",
    "pain_pre",
    "pain_post",
    "marks",
    "intensity_max",
)

#: Columns holding an instrument's score (as computed when the record was stored).
SCORE_COLUMNS: tuple[str, ...] = (
    "score",
    "score_max",
    "score_category",
    "score_complete",
    "score_answered",
    "subscales",
)


def _val(x: Any) -> Any:
    return None if x is None else str(x)


def score_columns(record: InstrumentRecord) -> dict[str, Any]:
    """Score an instrument record and return the score columns.

    Parameters
    ----------
    record : InstrumentRecord
        Answers already validated against the instrument's definition.

    Returns
    -------
    dict
        ``score``, ``score_max``, ``score_category``, ``score_complete``,
        ``score_answered`` and ``subscales`` (a dict, or None).
    """
    result = score(record.instrument, record.answers)
    subscales = getattr(result, "subscales", None) or None
    if subscales is not None:
        subscales = {str(k): v for k, v in dict(subscales).items()}
    return {
        "score": result.score,
        "score_max": result.max,
        "score_category": _val(result.category),
        "score_complete": result.complete,
        "score_answered": result.answered,
        "subscales": subscales,
    }


@functools.cache
def _integer_items(instrument: str) -> tuple[str, ...] | None:
    """Item ids of a list-format instrument whose answers are all integers, else None."""
    defn = get_definition(instrument)
    if defn.answer_format != "list":
        return None
    for item in defn.items:
        if not all(
            isinstance(v, int) and not isinstance(v, bool) for v in defn.scale_of(item).values
        ):
            return None
    return tuple(defn.item_ids)


def _batch_row(instrument: str, answers: list[Any] | dict[str, Any]) -> list[float]:
    """One :func:`score_batch` row for answers already validated by the record model."""
    ids = _integer_items(instrument)
    if ids is None:
        return answers_to_row(instrument, answers)
    if isinstance(answers, dict):
        return [math.nan if answers.get(i) is None else float(answers[i]) for i in ids]
    return answers  # integers and None: NumPy reads None as NaN in a float array


def score_many(records: Sequence[InstrumentRecord]) -> list[dict[str, Any]]:
    """Score columns of many instrument records at once (the bulk-import path).

    Groups the records by instrument and scores each group with the vectorised
    :func:`painmap.instruments.score_batch`; row for row the same columns as
    :func:`score_columns` (a test checks this).
    """
    return [
        dict(zip(SCORE_COLUMNS, values, strict=True))
        for values in score_values([(r.instrument, r.answers) for r in records])
    ]


def score_values(
    responses: Sequence[tuple[str, list[Any] | dict[str, Any]]],
) -> list[tuple[Any, ...]]:
    """Score columns of many ``(instrument, answers)`` pairs, as tuples.

    The core of :func:`score_many` for answers already validated against their
    instrument (the bulk import calls it without building record models). Each tuple
    holds the values of :data:`SCORE_COLUMNS` in that order.
    """
    out: list[tuple[Any, ...]] = [()] * len(responses)
    groups: dict[str, list[int]] = {}
    for i, (instrument, _) in enumerate(responses):
        groups.setdefault(instrument, []).append(i)
    for instrument, idx in groups.items():
        defn = get_definition(instrument)
        batch = score_batch(instrument, [_batch_row(instrument, responses[i][1]) for i in idx])
        totals = batch.score.tolist()
        codes = batch.category.tolist()
        complete = batch.complete.tolist()
        answered = batch.answered.tolist()
        names = list(batch.subscales)
        columns = [batch.subscales[name].tolist() for name in names]
        category_codes = batch.category_codes
        score_max = defn.scoring.max
        for k, i in enumerate(idx):
            total = totals[k]
            subscales = (
                {
                    name: None if math.isnan(values[k]) else float(values[k])
                    for name, values in zip(names, columns, strict=True)
                }
                if names
                else None
            )
            code = codes[k]
            out[i] = (
                None if math.isnan(total) else float(total),
                score_max,
                category_codes[code] if code >= 0 else None,
                bool(complete[k]),
                int(answered[k]),
                subscales,
            )
    return out


def record_columns(record: Record, *, scored: bool = True) -> dict[str, Any]:
    """All typed columns of one record (missing ones are None).

    Parameters
    ----------
    record : Record
        Any of the seven record kinds.
    scored : bool, optional
        Score instrument records now (False leaves the score columns to the caller,
        e.g. :func:`score_many`).

    Returns
    -------
    dict
        One entry per name in :data:`TYPED_COLUMNS`.
    """
    return dict(zip(TYPED_COLUMNS, typed_values(record, scored=scored), strict=True))


#: Position of each typed column in :func:`typed_values`.
TYPED_INDEX: dict[str, int] = {name: i for i, name in enumerate(TYPED_COLUMNS)}
_N = len(TYPED_COLUMNS)
_SCORE_SLICE = slice(TYPED_INDEX["score"], TYPED_INDEX["subscales"] + 1)


def typed_values(record: Record, *, scored: bool = True) -> list[Any]:
    """The typed columns of one record as a list in :data:`TYPED_COLUMNS` order.

    The row-building core of :func:`record_columns` (same values; the bulk import uses
    the list directly).
    """
    v: list[Any] = [None] * _N
    if isinstance(record, PainDrawingRecord):
        v[17] = len(record.marks)
        intensities = [m.intensity for m in record.marks] + [s.intensity for s in record.strokes]
        v[18] = max(intensities) if intensities else None
    elif isinstance(record, InstrumentRecord):
        v[1] = record.instrument
        if scored:
            cols = score_columns(record)
            v[_SCORE_SLICE] = [cols[name] for name in SCORE_COLUMNS]
    elif isinstance(record, ExamRecord):
        v[0] = record.test
        v[10], v[11], v[12] = _val(record.level), _val(record.side), _val(record.root)
    elif isinstance(record, ImagingRecord):
        v[0] = str(record.finding)
        v[10], v[11], v[12] = str(record.level), _val(record.side), _val(record.root)
    elif isinstance(record, ElectrodiagnosticRecord):
        v[0], v[9] = str(record.finding), record.target
        v[11], v[12] = _val(record.side), _val(record.root)
    elif isinstance(record, BlockRecord):
        v[0] = str(record.type)
        v[10] = str(record.levels[0]) if len(record.levels) == 1 else None
        v[11], v[12] = _val(record.side), _val(record.root)
        v[15], v[16] = record.pre_pain, record.post_pain
    elif isinstance(record, TreatmentRecord):
        v[8], v[9] = str(record.type), _val(record.target)
        v[10], v[11], v[12] = _val(record.level), _val(record.side), _val(record.root)
        v[13], v[14] = record.start, record.end
    return v
