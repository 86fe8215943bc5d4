"""Driver-ready rows for the SQLite bulk import, and their insert.

A :class:`RowBuilder` turns patients into the values SQLite binds for ``patients``,
``encounters`` and ``records`` (dates as ISO text, JSON as compact text, booleans as
integers: what SQLAlchemy's column types would bind), scores the instrument records
of the whole batch at once, and groups the rows by which columns are set. A row is
inserted naming only its non-NULL columns: the omitted ones are NULL all the same, and
Python's ``sqlite3`` binds a ``None`` about ten times slower than a number or a string,
while most of the 24 columns of ``records`` are NULL in any one row. Rows of one
column set go :data:`ROWS_PER_INSERT` to a statement (a multi-row ``VALUES``), which
saves SQLite a statement execution per row.

The builder accepts validated :class:`~painmap.record.models.Patient` models, or the
same content already reduced to plain values (the import's fast path,
:mod:`painmap.interop.ndjson_rows`); the rows are the same either way (a test checks
this). A finished :class:`RowBatch` is plain data, so it can be built in a worker
process and inserted by the process holding the transaction.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain, compress
from typing import Any

from sqlalchemy import Connection

from painmap.record.models import InstrumentRecord, Patient, Record, TreatmentRecord
from painmap.store.columns import SCORE_COLUMNS, TYPED_INDEX, score_values, typed_values
from painmap.store.tables import EncounterRow, PatientRow, RecordRow, as_json_text

#: Columns of each table, in table order.
PATIENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in PatientRow.__table__.columns)
ENCOUNTER_COLUMNS: tuple[str, ...] = tuple(c.name for c in EncounterRow.__table__.columns)
RECORD_COLUMNS: tuple[str, ...] = tuple(c.name for c in RecordRow.__table__.columns)

_LEAD = 5  # patient_id, encounter_id, position, kind, payload
_WIDTH = len(RECORD_COLUMNS)
#: Columns of the score values (:data:`~painmap.store.columns.SCORE_COLUMNS` order).
_SCORE_AT = tuple(_LEAD + TYPED_INDEX[name] for name in SCORE_COLUMNS)
_COMPLETE_AT = _LEAD + TYPED_INDEX["score_complete"]
_SUBSCALES_AT = _LEAD + TYPED_INDEX["subscales"]
_START_AT = _LEAD + TYPED_INDEX["start_date"]
_END_AT = _LEAD + TYPED_INDEX["end_date"]
_MARKS_AT = _LEAD + TYPED_INDEX["marks"]
_INTENSITY_AT = _LEAD + TYPED_INDEX["intensity_max"]
_INSTRUMENT_MASK = (0, 1, 2, 3, 4, _LEAD + TYPED_INDEX["instrument"])
#: An instrument row with a score, maximum and category and no subscales.
_SCORED_MASK = (*_INSTRUMENT_MASK, *_SCORE_AT[:5])
#: ... and with subscales.
_FULL_MASK = (*_INSTRUMENT_MASK, *_SCORE_AT)
#: Column sets of a pain-drawing row (with and without a highest intensity).
_DRAWING_MASK = (0, 1, 2, 3, 4, _MARKS_AT, _INTENSITY_AT)
_EMPTY_DRAWING_MASK = (0, 1, 2, 3, 4, _MARKS_AT)

#: One audit item per patient: (entity id, patient id, detail).
AuditItem = tuple[str | None, str | None, dict[str, Any] | None]
#: Indexes of the columns a row sets, in table order.
Mask = tuple[int, ...]


@dataclass
class RowBatch:
    """Rows of a batch of patients, ready for :func:`insert_batch`.

    Attributes
    ----------
    patients, records : dict
        Column mask (indexes of the columns set, in table order) to value tuples.
    encounters : list of tuple
        ``(patient_id, encounter_id, date)`` rows.
    audit : list
        One ``(entity_id, patient_id, detail)`` audit item per patient, in order.
    """

    patients: dict[Mask, list[tuple[Any, ...]]] = field(default_factory=dict)
    encounters: list[tuple[Any, ...]] = field(default_factory=list)
    records: dict[Mask, list[tuple[Any, ...]]] = field(default_factory=dict)
    audit: list[AuditItem] = field(default_factory=list)
    #: The rows as statements, once :meth:`pack` has run: table, columns, rows per
    #: statement, and one flat tuple of parameters per statement.
    packed: list[tuple[str, tuple[str, ...], int, list[tuple[Any, ...]]]] = field(
        default_factory=list
    )

    def pack(self, limit: int | None = None) -> None:
        """Turn the rows into the parameters of multi-row ``INSERT`` statements.

        Rows that set the same columns go :data:`ROWS_PER_INSERT` to a statement (fewer
        when SQLite allows fewer than ``limit`` bound variables; default: this
        process's SQLite limit). Done where the batch is built (a worker process), it
        spares the inserting process the work. The row dicts are emptied.
        """
        if limit is None:
            limit = _variable_limit()
        groups: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = [
            ("patients", tuple(PATIENT_COLUMNS[i] for i in mask), rows)
            for mask, rows in self.patients.items()
        ]
        if self.encounters:
            groups.append(("encounters", ENCOUNTER_COLUMNS, self.encounters))
        groups += [
            ("records", tuple(RECORD_COLUMNS[i] for i in mask), rows)
            for mask, rows in self.records.items()
        ]
        flat = chain.from_iterable
        for table, names, rows in groups:
            per = max(1, min(ROWS_PER_INSERT, limit // len(names)))
            whole = len(rows) - len(rows) % per
            if whole:
                params = [tuple(flat(rows[i : i + per])) for i in range(0, whole, per)]
                self.packed.append((table, names, per, params))
            if whole < len(rows):
                self.packed.append((table, names, 1, rows[whole:]))
        self.patients, self.encounters, self.records = {}, [], {}


@functools.cache
def _variable_limit() -> int:
    """Most bound variables in one statement, for this process's SQLite library."""
    with closing(sqlite3.connect(":memory:")) as probe:
        return probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _mask(row: Sequence[Any]) -> Mask:
    return tuple(compress(range(len(row)), [v is not None for v in row]))


class RowBuilder:
    """Collects the rows of many patients; :meth:`finish` scores and groups them."""

    def __init__(self) -> None:
        self.batch = RowBatch()
        self._open: list[list[Any]] = []
        self._instruments: list[tuple[str, str, int, str, str]] = []
        self._responses: list[tuple[str, Any]] = []

    def patient(self, pid: str, birth_year: int, sex: str, onset: str | None) -> None:
        """Add a ``patients`` row (``onset`` as ISO text)."""
        mask = (0, 1, 2) if onset is None else (0, 1, 2, 3)
        row = (pid, birth_year, sex) if onset is None else (pid, birth_year, sex, onset)
        self.batch.patients.setdefault(mask, []).append(row)

    def encounter(self, pid: str, eid: str, date: str) -> None:
        """Add an ``encounters`` row (``date`` as ISO text)."""
        self.batch.encounters.append((pid, eid, date))

    def drawing(
        self,
        pid: str,
        eid: str,
        position: int,
        payload: str,
        marks: int,
        intensity_max: float | None,
    ) -> None:
        """Add a pain-drawing ``records`` row from its canonical JSON and typed values."""
        groups = self.batch.records
        if intensity_max is None:
            groups.setdefault(_EMPTY_DRAWING_MASK, []).append(
                (pid, eid, position, "pain_drawing", payload, marks)
            )
        else:
            groups.setdefault(_DRAWING_MASK, []).append(
                (pid, eid, position, "pain_drawing", payload, marks, intensity_max)
            )

    def instrument(
        self, pid: str, eid: str, position: int, payload: str, instrument: str, answers: Any
    ) -> None:
        """Add an instrument ``records`` row; it is scored in :meth:`finish`."""
        self._instruments.append((pid, eid, position, payload, instrument))
        self._responses.append((instrument, answers))

    def typed(
        self, pid: str, eid: str, position: int, kind: str, payload: str, typed: list[Any]
    ) -> None:
        """Add a ``records`` row from its canonical JSON and its typed column values.

        ``typed`` holds the values of :data:`~painmap.store.columns.TYPED_COLUMNS` in
        that order (dates as ISO text), as :func:`~painmap.store.columns.typed_values`
        gives them for a record that is not an instrument.
        """
        self._open.append([pid, eid, position, kind, payload, *typed])

    def record(self, pid: str, eid: str, position: int, rec: Record) -> None:
        """Add the ``records`` row of a validated record model."""
        if isinstance(rec, InstrumentRecord):
            payload = rec.model_dump_json()
            self.instrument(pid, eid, position, payload, rec.instrument, rec.answers)
            return
        row: list[Any] = [pid, eid, position, rec.kind, rec.model_dump_json()]
        row += typed_values(rec, scored=False)
        if isinstance(rec, TreatmentRecord):
            row[_START_AT] = rec.start.isoformat()
            row[_END_AT] = None if rec.end is None else rec.end.isoformat()
        self._open.append(row)

    def audit(self, pid: str, encounters: int, records: int) -> None:
        """Add the ``import`` audit item of a patient."""
        self.batch.audit.append((pid, pid, {"encounters": encounters, "records": records}))

    def add(self, patient: Patient) -> None:
        """Add every row of a validated patient (and its audit item)."""
        pid = patient.id
        onset = patient.pain_onset
        self.patient(
            pid, patient.birth_year, str(patient.sex), None if onset is None else onset.isoformat()
        )
        n_records = 0
        for enc in patient.encounters:
            eid = enc.id
            self.encounter(pid, eid, enc.date.isoformat())
            for pos, rec in enumerate(enc.records):
                self.record(pid, eid, pos, rec)
            n_records += len(enc.records)
        self.audit(pid, len(patient.encounters), n_records)

    def finish(self) -> RowBatch:
        """Score the instrument rows and return the batch (the builder is spent)."""
        groups = self.batch.records
        scores = score_values(self._responses)
        scored = groups.setdefault(_SCORED_MASK, [])
        for (pid, eid, position, payload, instrument), values in zip(
            self._instruments, scores, strict=True
        ):
            score, score_max, category, complete, answered, subscales = values
            if score is not None and score_max is not None and category is not None:
                # the usual columns, with or without subscales (a shortcut for the loop
                # below; ``complete`` and ``answered`` are always set)
                usual = (
                    pid,
                    eid,
                    position,
                    "instrument",
                    payload,
                    instrument,
                    score,
                    score_max,
                    category,
                    int(complete),
                    answered,
                )
                if subscales is None:
                    scored.append(usual)
                else:
                    groups.setdefault(_FULL_MASK, []).append((*usual, as_json_text(subscales)))
                continue
            row: list[Any] = [pid, eid, position, "instrument", payload, instrument]
            mask = list(_INSTRUMENT_MASK)
            for at, value in zip(_SCORE_AT, values, strict=True):
                if value is not None:
                    mask.append(at)
                    if at == _COMPLETE_AT:
                        value = int(value)
                    elif at == _SUBSCALES_AT:
                        value = as_json_text(value)
                    row.append(value)
            groups.setdefault(tuple(mask), []).append(tuple(row))
        for row in self._open:
            columns = _mask(row)
            groups.setdefault(columns, []).append(tuple(row[i] for i in columns))
        if not scored:
            del groups[_SCORED_MASK]
        self._instruments, self._open, self._responses = [], [], []
        return self.batch


#: Rows per ``INSERT`` statement (fewer if SQLite allows fewer bound variables).
ROWS_PER_INSERT = 128


def _sql(conn: Connection, table: str, names: Sequence[str], rows: int) -> str:
    quote = conn.dialect.identifier_preparer.quote
    values = f"({', '.join('?' * len(names))})"
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES {', '.join([values] * rows)}"
    )


def insert_batch(conn: Connection, batch: RowBatch) -> None:
    """Insert the rows of a batch on SQLite, packing them first if not yet packed."""
    batch.pack()  # no-op for a batch packed where it was built
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    # the driver's own cursor: these statements need none of SQLAlchemy's result handling
    cursor = dbapi.cursor()
    try:
        for table, names, per, params in batch.packed:
            cursor.executemany(_sql(conn, table, names, per), params)
    finally:
        cursor.close()


__all__ = [
    "ENCOUNTER_COLUMNS",
    "PATIENT_COLUMNS",
    "RECORD_COLUMNS",
    "ROWS_PER_INSERT",
    "AuditItem",
    "RowBatch",
    "RowBuilder",
    "insert_batch",
]
