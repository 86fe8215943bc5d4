"""NDJSON lines straight to the store's bulk rows (the import's fast path).

:func:`prepare` turns a chunk of NDJSON lines into a
:class:`~painmap.store.bulk.RowBatch`. It runs in worker processes during a large
import, so that parsing and validation use every core while the importing process
writes.

Each line is first tried on a fast path: the JSON is parsed into plain values and
checked by hand against the rules of the models (:class:`~painmap.record.models.Patient`
and the drawing and instrument checks). The fast path only *accepts*: it takes a line
when every value is of the exact plain type and inside the allowed range or set, and
builds the rows and each record's canonical JSON from those values directly (pain
drawings and integer-list instruments; other record kinds are validated one by one
with their model). Anything else, for example a number given as a string that the
model would coerce, or any invalid value, sends the whole line through
:func:`~painmap.interop.ndjson.parse_line`, the model validation that names the line,
field and allowed values. So a file imports exactly as the models alone would import
it, and a test compares the fast path's rows with the models' rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json, to_json

from painmap.bodymap.drawing import Quality
from painmap.bodymap.regions import CHART, REGION_INDEX
from painmap.core.enums import Sex
from painmap.core.errors import ValidationFailure
from painmap.instruments.validation import plain_answers_valid
from painmap.interop.ndjson import NdjsonLineError, parse_line
from painmap.record.models import Record
from painmap.store.bulk import RowBatch, RowBuilder

# The same patterns as the models' Identifier and Slug (matched whole).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PATIENT_KEYS = frozenset({"id", "birth_year", "sex", "pain_onset", "encounters"})
_ENCOUNTER_KEYS = frozenset({"id", "date", "records"})
_DRAWING_KEYS = frozenset({"kind", "marks", "strokes"})
_MARK_KEYS = frozenset({"id", "intensity", "qualities"})
_STROKE_KEYS = frozenset({"view", "points", "width", "intensity", "quality"})
_INSTRUMENT_KEYS = frozenset({"kind", "instrument", "answers"})
_SEX = frozenset(s.value for s in Sex)
_QUALITIES = frozenset(q.value for q in Quality)
_REGIONS = frozenset(REGION_INDEX)
_NUMBERS = frozenset({int, float})
_VIEWS = {view.value: (geo.width, geo.height) for view, geo in CHART.views.items()}
_RECORD: TypeAdapter[Record] = TypeAdapter(Record)


class _Decline(Exception):
    """The fast path does not take this value; the models decide."""


@dataclass
class Prepared:
    """What :func:`prepare` made of a chunk of lines.

    Attributes
    ----------
    ids : list of (int, str)
        Line number and patient id of each valid line, in order (up to the first
        invalid line).
    encounters, records : int
        Counts over those lines.
    rows : RowBatch
        Their rows.
    error_line : int or None
        The first invalid line of the chunk (parse it with
        :func:`~painmap.interop.ndjson.parse_line` for the error); its rows and those
        after it are not in ``rows``.
    fast : int
        How many lines the fast path took.
    """

    ids: list[tuple[int, str]] = field(default_factory=list)
    encounters: int = 0
    records: int = 0
    rows: RowBatch = field(default_factory=RowBatch)
    error_line: int | None = None
    fast: int = 0


def prepare(lines: list[tuple[int, bytes]]) -> Prepared:
    """Validate a chunk of NDJSON lines and build their rows.

    Parameters
    ----------
    lines : list of (int, bytes)
        1-based line number and text of each non-blank line, in file order.

    Returns
    -------
    Prepared
        Rows of the valid lines, up to the first invalid one.
    """
    out = Prepared()
    builder = RowBuilder()
    for n, raw in lines:
        patient = fast_patient(raw)
        if patient is not None:
            pid, n_enc, n_rec = _add_fast(builder, patient)
            out.fast += 1
        else:
            try:
                model = parse_line(raw, n)
            except NdjsonLineError:
                out.error_line = n
                break
            builder.add(model)
            pid = model.id
            n_enc = len(model.encounters)
            n_rec = sum(len(e.records) for e in model.encounters)
        out.ids.append((n, pid))
        out.encounters += n_enc
        out.records += n_rec
    out.rows = builder.finish()
    return out


#: A checked patient: id, birth year, sex, onset (ISO), encounters
#: ``(encounter id, date (ISO), records)`` in stored order; each record is
#: ``("d", payload, marks, intensity_max)``, ``("i", payload, instrument, answers)``
#: or ``("m", model)``.
FastPatient = tuple[str, int, str, str | None, list[tuple[str, str, list[tuple[Any, ...]]]]]


def fast_patient(raw: str | bytes) -> FastPatient | None:
    """Check one NDJSON line on the fast path; None when the models must decide.

    Parameters
    ----------
    raw : str or bytes
        One line.

    Returns
    -------
    tuple or None
        The checked patient (see :data:`FastPatient`), or None.
    """
    try:
        return _patient(from_json(raw))
    except (_Decline, ValueError, TypeError, KeyError, OverflowError, ValidationError):
        return None


def _add_fast(builder: RowBuilder, patient: FastPatient) -> tuple[str, int, int]:
    pid, birth_year, sex, onset, encounters = patient
    builder.patient(pid, birth_year, sex, onset)
    n_records = 0
    for eid, day, records in encounters:
        builder.encounter(pid, eid, day)
        for pos, rec in enumerate(records):
            tag = rec[0]
            if tag == "d":
                builder.drawing(pid, eid, pos, rec[1], rec[2], rec[3])
            elif tag == "i":
                builder.instrument(pid, eid, pos, rec[1], rec[2], rec[3])
            else:
                builder.record(pid, eid, pos, rec[1])
        n_records += len(records)
    builder.audit(pid, len(encounters), n_records)
    return pid, len(encounters), n_records


def _date(value: Any) -> date:
    if type(value) is not str or not _DATE.fullmatch(value):
        raise _Decline
    return date.fromisoformat(value)


def _number(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    raise _Decline


def _patient(obj: Any) -> FastPatient:
    if type(obj) is not dict or not obj.keys() <= _PATIENT_KEYS:
        raise _Decline
    pid = obj.get("id")
    birth_year = obj.get("birth_year")
    sex = obj.get("sex")
    if type(pid) is not str or not _ID.fullmatch(pid):
        raise _Decline
    if type(birth_year) is not int or not 1900 <= birth_year <= 2100:
        raise _Decline
    if type(sex) is not str or sex not in _SEX:
        raise _Decline
    onset_text = obj.get("pain_onset")
    if onset_text is not None and _date(onset_text).year < birth_year:
        raise _Decline
    encounters = obj.get("encounters", [])
    if type(encounters) is not list:
        raise _Decline
    dated: list[tuple[date, str, str, list[Any]]] = []
    seen: set[str] = set()
    for enc in encounters:
        if type(enc) is not dict or not enc.keys() <= _ENCOUNTER_KEYS:
            raise _Decline
        eid = enc.get("id")
        if type(eid) is not str or not _ID.fullmatch(eid) or eid in seen:
            raise _Decline
        seen.add(eid)
        day_text = enc.get("date")
        day = _date(day_text)  # so day_text is a str
        if day.year < birth_year:
            raise _Decline
        records = enc.get("records", [])
        if type(records) is not list:
            raise _Decline
        dated.append((day, eid, str(day_text), records))
    dated.sort(key=lambda t: (t[0], t[1]))
    return (
        pid,
        birth_year,
        sex,
        onset_text,
        [(eid, day_text, [_record(r) for r in records]) for _, eid, day_text, records in dated],
    )


def _record(rec: Any) -> tuple[Any, ...]:
    if type(rec) is not dict:
        raise _Decline
    kind = rec.get("kind")
    if kind == "pain_drawing":
        try:
            return _drawing(rec)
        except _Decline:
            pass
    elif kind == "instrument" and rec.keys() <= _INSTRUMENT_KEYS:
        instrument = rec.get("instrument")
        answers = rec.get("answers")
        if (
            type(instrument) is str
            and _SLUG.fullmatch(instrument)
            and plain_answers_valid(instrument, answers)
        ):
            payload = {"kind": "instrument", "instrument": instrument, "answers": answers}
            return ("i", to_json(payload), instrument, answers)
    try:
        model = _RECORD.validate_json(to_json(rec))
    except ValidationFailure:
        raise _Decline from None
    return ("m", model)


def _drawing(rec: dict[str, Any]) -> tuple[Any, ...]:
    if not rec.keys() <= _DRAWING_KEYS:
        raise _Decline
    marks = rec.get("marks", [])
    strokes = rec.get("strokes", [])
    if type(marks) is not list or type(strokes) is not list:
        raise _Decline
    out_marks = _marks(marks)
    intensities = [m["intensity"] for m in out_marks]
    out_strokes = []
    for stroke in strokes:
        if type(stroke) is not dict or not stroke.keys() <= _STROKE_KEYS:
            raise _Decline
        view = stroke.get("view")
        size = _VIEWS.get(view) if type(view) is str else None
        if size is None:
            raise _Decline
        width = _number(stroke.get("width"))
        if not 0.0 < width <= 200.0:
            raise _Decline
        value = _number(stroke.get("intensity"))
        if not 0.0 <= value <= 10.0:
            raise _Decline
        quality = stroke.get("quality")
        if quality is not None and (type(quality) is not str or quality not in _QUALITIES):
            raise _Decline
        points = _points(stroke.get("points"), size)
        intensities.append(value)
        out_strokes.append(
            {"view": view, "points": points, "width": width, "intensity": value, "quality": quality}
        )
    payload = {"marks": out_marks, "strokes": out_strokes, "kind": "pain_drawing"}
    return ("d", to_json(payload), len(out_marks), max(intensities, default=None))


def _marks(marks: list[Any]) -> list[dict[str, Any]]:
    """Region marks in canonical form (intensity a float, qualities listed)."""
    out = []
    for mark in marks:
        if type(mark) is not dict:
            raise _Decline
        if mark.keys() == _MARK_KEYS:
            rid, value, qualities = mark["id"], mark["intensity"], mark["qualities"]
        elif mark.keys() <= _MARK_KEYS:
            rid, value, qualities = mark.get("id"), mark.get("intensity"), mark.get("qualities", [])
        else:
            raise _Decline
        kind = type(value)
        if kind is int:
            value = float(value)
        elif kind is not float:
            raise _Decline
        if not 0.0 <= value <= 10.0:  # NaN fails too
            raise _Decline
        if type(qualities) is not list or not _QUALITIES.issuperset(qualities):
            raise _Decline
        out.append({"id": rid, "intensity": value, "qualities": qualities})
    ids = [m["id"] for m in out]
    if not _REGIONS.issuperset(ids) or len(set(ids)) != len(ids):
        raise _Decline
    return out


def _points(points: Any, size: tuple[float, float]) -> list[list[float]]:
    """Stroke points as ``[x, y]`` float lists, all finite and on the chart."""
    if type(points) is not list or not points:
        raise _Decline
    # two sequences of the same length unless some point does not have two items;
    # a point that is not a list of two numbers shows up as a non-number in them
    # (JSON object keys and string characters are strings)
    xs, ys = zip(*points, strict=True)
    kinds = set(map(type, xs))
    kinds.update(map(type, ys))
    if kinds != {float}:
        if not kinds <= _NUMBERS or set(map(type, points)) != {list}:
            raise _Decline
        points = [[float(x), float(y)] for x, y in points]
        xs, ys = zip(*points, strict=True)
    width, height = size
    # a finite sum rules out NaN (which min and max may step over) and infinities
    if not (
        math.isfinite(sum(xs) + sum(ys))
        and min(xs) >= 0.0
        and min(ys) >= 0.0
        and max(xs) <= width
        and max(ys) <= height
    ):
        raise _Decline
    return points  # type: ignore[no-any-return]


__all__ = ["FastPatient", "Prepared", "fast_patient", "prepare"]
