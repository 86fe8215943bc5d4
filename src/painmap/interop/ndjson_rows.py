"""NDJSON lines straight to the store's bulk rows (the import's fast path).

:func:`prepare` turns a chunk of NDJSON lines into a
:class:`~painmap.store.bulk.RowBatch`. It runs in worker processes during a large
import, so that parsing and validation use every core while the importing process
writes.

Each line is first tried on a fast path: :mod:`msgspec` parses it straight into the
strict structs of :mod:`painmap.interop.ndjson_wire`, checking types, ranges and
vocabularies in C as it goes; the few checks that span several values follow in Python.
The fast path only *accepts*: it takes a line when every value is of the exact plain
type and inside the allowed range or set, and builds the rows and each record's
canonical JSON (the bytes the models would dump) from the structs directly (pain
drawings and integer-list instruments; other record kinds are validated one by one
with their model). Anything else, for example a number given as a string that the
model would coerce, or any invalid value, sends the whole line through
:func:`~painmap.interop.ndjson.parse_line`, the model validation that names the line,
field and allowed values. So a file imports exactly as the models alone would import
it, and a test compares the fast path's rows with the models' rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import msgspec
from pydantic import ValidationError

from painmap.core.errors import ValidationFailure
from painmap.instruments.validation import plain_answers_valid
from painmap.interop import ndjson_wire as wire
from painmap.interop.ndjson import NdjsonLineError, parse_line
from painmap.record.models import InstrumentRecord
from painmap.store.bulk import RowBatch, RowBuilder
from painmap.store.columns import TYPED_COLUMNS, TYPED_INDEX

_WIDTH = len(TYPED_COLUMNS)
_CODE, _TYPE, _TARGET = TYPED_INDEX["code"], TYPED_INDEX["treatment_type"], TYPED_INDEX["target"]
_LEVEL, _SIDE, _ROOT = TYPED_INDEX["level"], TYPED_INDEX["side"], TYPED_INDEX["root"]
_START, _END = TYPED_INDEX["start_date"], TYPED_INDEX["end_date"]
_PRE, _POST = TYPED_INDEX["pain_pre"], TYPED_INDEX["pain_post"]
_ENCODE = wire.ENCODER.encode
_DRAWING_END = b',"kind":"pain_drawing"}'


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
    error_text : bytes or None
        The text of that line.
    fast : int
        How many lines the fast path took.
    lines : int
        Lines read, blank ones included (set by the caller that read them).
    """

    ids: list[tuple[int, str]] = field(default_factory=list)
    encounters: int = 0
    records: int = 0
    rows: RowBatch = field(default_factory=RowBatch)
    error_line: int | None = None
    error_text: bytes | None = None
    fast: int = 0
    lines: int = 0

    def renumber(self, base: int) -> None:
        """Add ``base`` to every line number (lines counted from a later start)."""
        if base:
            self.ids = [(n + base, pid) for n, pid in self.ids]
            if self.error_line is not None:
                self.error_line += base


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
                out.error_line, out.error_text = n, raw
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
#: ``("d", payload, marks, intensity_max)``, ``("i", payload, instrument, answers)``,
#: ``("t", kind, payload, typed columns)`` or ``("m", model)``.
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
        return _patient(wire.PATIENT.decode(raw))
    except (_Decline, msgspec.ValidationError, msgspec.DecodeError, ValidationError):
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
            elif tag == "t":
                builder.typed(pid, eid, pos, rec[1], rec[2], rec[3])
            else:
                builder.record(pid, eid, pos, rec[1])
        n_records += len(records)
    builder.audit(pid, len(encounters), n_records)
    return pid, len(encounters), n_records


def _patient(line: wire.WirePatient) -> FastPatient:
    birth_year = line.birth_year
    onset = line.pain_onset
    if onset is not None and onset.year < birth_year:
        raise _Decline
    encounters = line.encounters
    ids = {enc.id for enc in encounters}
    if len(ids) != len(encounters):
        raise _Decline
    for enc in encounters:
        if enc.date.year < birth_year:
            raise _Decline
    return (
        line.id,
        birth_year,
        line.sex.value,
        None if onset is None else onset.isoformat(),
        [
            (enc.id, enc.date.isoformat(), [_record(r) for r in enc.records])
            for enc in sorted(encounters, key=_visit_order)
        ],
    )


def _visit_order(enc: wire.WireEncounter) -> tuple[date, str]:
    return enc.date, enc.id


def _record(rec: wire.WireRecord) -> tuple[Any, ...]:
    kind = type(rec)
    if kind is wire.WireDrawing:
        drawn = _drawing(rec)  # type: ignore[arg-type]
        if drawn is None:
            raise _Decline
        return drawn
    if kind is wire.WireInstrument:
        assert isinstance(rec, wire.WireInstrument)
        if plain_answers_valid(rec.instrument, rec.answers):
            return ("i", _ENCODE(rec).decode(), rec.instrument, rec.answers)
        # answers of another form (a mapping, non-integer scales): the model checks them
        try:
            model = InstrumentRecord(instrument=rec.instrument, answers=rec.answers)
        except (ValidationError, ValidationFailure):
            raise _Decline from None
        return ("m", model)
    if kind is wire.WireTreatment:
        assert isinstance(rec, wire.WireTreatment)
        if rec.end is not None and rec.end < rec.start:
            raise _Decline
    tag, typed = _TYPED[kind]
    return ("t", tag, _ENCODE(rec).decode(), typed(rec))


def _value(member: StrEnum | None) -> str | None:
    return None if member is None else member.value


def _exam(rec: wire.WireExam) -> list[Any]:
    v: list[Any] = [None] * _WIDTH
    v[_CODE] = rec.test
    v[_LEVEL], v[_SIDE], v[_ROOT] = _value(rec.level), _value(rec.side), _value(rec.root)
    return v


def _imaging(rec: wire.WireImaging) -> list[Any]:
    v: list[Any] = [None] * _WIDTH
    v[_CODE] = rec.finding.value
    v[_LEVEL], v[_SIDE], v[_ROOT] = rec.level.value, _value(rec.side), _value(rec.root)
    return v


def _electrodiagnostic(rec: wire.WireElectrodiagnostic) -> list[Any]:
    v: list[Any] = [None] * _WIDTH
    v[_CODE], v[_TARGET] = rec.finding.value, rec.target
    v[_SIDE], v[_ROOT] = _value(rec.side), _value(rec.root)
    return v


def _block(rec: wire.WireBlock) -> list[Any]:
    v: list[Any] = [None] * _WIDTH
    v[_CODE] = rec.type.value
    v[_LEVEL] = rec.levels[0].value if len(rec.levels) == 1 else None
    v[_SIDE], v[_ROOT] = _value(rec.side), _value(rec.root)
    v[_PRE], v[_POST] = rec.pre_pain, rec.post_pain
    return v


def _treatment(rec: wire.WireTreatment) -> list[Any]:
    v: list[Any] = [None] * _WIDTH
    v[_TYPE], v[_TARGET] = rec.type.value, _value(rec.target)
    v[_LEVEL], v[_SIDE], v[_ROOT] = _value(rec.level), _value(rec.side), _value(rec.root)
    v[_START] = rec.start.isoformat()
    v[_END] = None if rec.end is None else rec.end.isoformat()
    return v


#: The typed columns of each record kind taken as a struct (as ``typed_values`` makes
#: them from the models; dates as ISO text, as the bulk rows bind them).
_TYPED: dict[type, tuple[str, Callable[[Any], list[Any]]]] = {
    struct: (struct.__struct_config__.tag, typed)  # type: ignore[misc]
    for struct, typed in (
        (wire.WireExam, _exam),
        (wire.WireImaging, _imaging),
        (wire.WireElectrodiagnostic, _electrodiagnostic),
        (wire.WireBlock, _block),
        (wire.WireTreatment, _treatment),
    )
}


def _drawing(rec: wire.WireDrawing) -> tuple[Any, ...] | None:
    marks, strokes = rec.marks, rec.strokes
    if len({m.id for m in marks}) != len(marks):
        return None
    if wire.SMALLER_VIEWS:
        for stroke in strokes:
            size = wire.SMALLER_VIEWS.get(stroke.view.value)
            if size is not None and not _inside(stroke.points, size):
                return None
    intensities = [m.intensity for m in marks]
    intensities += [s.intensity for s in strokes]
    payload = b"".join(
        (b'{"marks":', _ENCODE(marks), b',"strokes":', _ENCODE(strokes), _DRAWING_END)
    ).decode()
    return ("d", payload, len(marks), max(intensities, default=None))


def _inside(points: list[tuple[float, float]], size: tuple[float, float]) -> bool:
    width, height = size
    return all(x <= width and y <= height for x, y in points)


__all__ = ["FastPatient", "Prepared", "fast_patient", "prepare"]
