"""The chart part of the clinician's patient page, rendered once per chart version.

Building that part (reading and validating the whole chart, ranking the pain
generators, drawing the trend plot, spine and pain maps, filling the template) costs
tens of milliseconds, while a chart is viewed far more often than it changes. So the
rendered HTML is kept per patient, keyed by a digest of everything in the database it
was built from (the patient row, every encounter, every record's payload and stored
score) and by the day it was built for (age, pain duration and the ranking depend on
"today"). Any change to the chart, whichever way it is made, changes the digest; a
stale page is never shown.

Nothing per request is cached: the session, CSRF token, forms and messages are filled
in on every request, and every view still appends its own audit row (see
:func:`painmap.web.services.patient_page_chart`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection, Text, bindparam, cast, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from painmap.store import PatientChart
from painmap.store.tables import EncounterRow, PatientRow, RecordRow
from painmap.web.views.patient_view import build_view

_P = PatientRow.__table__
_E = EncounterRow.__table__
_R = RecordRow.__table__

#: Patients whose rendered chart is kept (least recently viewed dropped first).
CACHE_SIZE = 128


#: What the page is built from, in key order: the patient row, its encounters, its
#: records (payload text and the stored score columns).
_DIGEST_QUERIES = (
    select(_P.c.birth_year, _P.c.sex, _P.c.pain_onset).where(_P.c.id == bindparam("pid")),
    select(_E.c.encounter_id, _E.c.date)
    .where(_E.c.patient_id == bindparam("pid"))
    .order_by(_E.c.encounter_id),
    select(
        _R.c.encounter_id, _R.c.position, cast(_R.c.payload, Text), _R.c.instrument,
        _R.c.score, _R.c.score_max, _R.c.score_category, _R.c.score_complete,
        _R.c.score_answered, cast(_R.c.subscales, Text),
    )
    .where(_R.c.patient_id == bindparam("pid"))
    .order_by(_R.c.encounter_id, _R.c.position),
)
#: The same queries as SQLite text (one ``?``, the patient id), run on the driver's
#: cursor: SQLAlchemy's statement and result handling cost more than the queries.
_SQLITE_SQL = tuple(
    str(q.compile(dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}))
    for q in _DIGEST_QUERIES
)


def chart_digest(session: Session, patient_id: str) -> str | None:
    """SHA-256 over everything the patient page is built from; None for no such patient.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session inside the transaction that also appends the view's audit row.
    patient_id : str
        The patient.

    Returns
    -------
    str or None
        Hex digest of the patient row, its encounters and its records (payload text and
        the stored score columns), in key order, as the database returns them.
    """
    conn = session.connection()
    read = _driver_rows if conn.dialect.name == "sqlite" else _rows
    patient, encounters, records = read(conn, patient_id)
    if not patient:
        return None
    h = hashlib.sha256(repr((patient_id, tuple(patient[0]))).encode())
    for row in encounters:
        h.update(repr(tuple(row)).encode())
    h.update(b"|records|")
    for row in records:
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _rows(conn: Connection, patient_id: str) -> list[Sequence[Any]]:
    """The rows of the digest queries, through SQLAlchemy (any backend)."""
    return [conn.execute(q, {"pid": patient_id}).all() for q in _DIGEST_QUERIES]


def _driver_rows(conn: Connection, patient_id: str) -> list[Sequence[Any]]:
    """The rows of the digest queries on SQLite's own cursor (same transaction)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return [cursor.execute(sql, (patient_id,)).fetchall() for sql in _SQLITE_SQL]
    finally:
        cursor.close()


@dataclass(frozen=True)
class ChartParts:
    """Rendered, request-independent parts of one patient's page."""

    patient_id: str
    head: Markup
    overview: Markup
    findings: Markup
    plan: Markup


def render_chart(module: Any, chart: PatientChart, *, today: date) -> ChartParts:
    """Render the chart parts of the page from one chart read.

    Parameters
    ----------
    module : jinja2 template module
        The module of ``patient_chart.html`` (its macros ``head``, ``overview``,
        ``findings`` and ``plan``).
    chart : PatientChart
        The chart, read (and audited) by the store.
    today : datetime.date
        The day the page is built for.

    Returns
    -------
    ChartParts
        HTML of each part, autoescaped by the templates.
    """
    view = build_view(chart, today=today)
    return ChartParts(
        patient_id=chart.patient.id,
        head=Markup(module.head(view)),
        overview=Markup(module.overview(view)),
        findings=Markup(module.findings(view)),
        plan=Markup(module.plan(view)),
    )


class ChartCache:
    """Rendered chart parts per patient, valid for one digest and one day (thread-safe)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[str, date, ChartParts]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, patient_id: str, digest: str, today: date) -> ChartParts | None:
        """The parts rendered from exactly this chart version for this day, or None."""
        with self._lock:
            item = self._items.get(patient_id)
            if item is None or item[0] != digest or item[1] != today:
                return None
            self._items.move_to_end(patient_id)
            return item[2]

    def put(self, patient_id: str, digest: str, today: date, parts: ChartParts) -> None:
        """Keep ``parts`` for this chart version and day (dropping the oldest beyond size)."""
        with self._lock:
            self._items[patient_id] = (digest, today, parts)
            self._items.move_to_end(patient_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
