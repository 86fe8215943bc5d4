"""The repository: every read and write of patient data goes through :class:`Store`.

Nothing above the store writes SQL. Each method runs in one transaction and appends
its audit rows (:mod:`painmap.store.audit`) in that same transaction, so a change and
its audit trail commit or roll back together.
"""

from __future__ import annotations

import gc
import getpass
import operator
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from painmap.core.errors import ValidationFailure
from painmap.record.models import Encounter, InstrumentRecord, Patient, Record
from painmap.store import audit, migrate
from painmap.store.audit import Actor
from painmap.store.bulk import RowBatch, RowBuilder, insert_batch
from painmap.store.columns import record_columns, score_many
from painmap.store.engine import READ_ONLY, make_engine, parse_url, resolve_url
from painmap.store.errors import BackupUnsupported, DuplicateId, NotFound, StoreNotReady
from painmap.store.group_commit import joined_connection, savepoint_session
from painmap.store.tables import (
    EncounterRow,
    PatientRow,
    RecordRow,
    as_json_text,
    as_object,
)
from painmap.store.views import PatientChart, PatientSummary, StoredScore, TimelineEntry

_P = PatientRow.__table__
_E = EncounterRow.__table__
_R = RecordRow.__table__

#: Patients per batch in bulk import and streaming reads.
BATCH = 500
#: SQLite page cache (KiB) during a bulk import.
BULK_CACHE_KIB = 262_144
#: Ids per query when :meth:`Store.list_patients` is given ``ids``.
LIST_IDS_RUN = 5_000


def cli_actor() -> Actor:
    """The actor of command-line use: ``cli:<login name>`` with the admin role."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return Actor(f"cli:{user}", "admin")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during bulk work (restored afterwards).

    Bulk imports allocate millions of small objects without cycles; collecting them
    repeatedly costs more than the work itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batched(items: Iterable[Patient], n: int) -> Iterator[list[Patient]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def patient_rows(
    patient: Patient, *, scored: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of ``patients``, ``encounters`` and ``records`` for one patient.

    Instrument records are scored here (see :mod:`painmap.store.columns`) unless
    ``scored`` is False (then :func:`fill_scores` must be called on the record rows).
    """
    prow = {
        "id": patient.id,
        "birth_year": patient.birth_year,
        "sex": str(patient.sex),
        "pain_onset": patient.pain_onset,
    }
    erows: list[dict[str, Any]] = []
    rrows: list[dict[str, Any]] = []
    for enc in patient.encounters:
        erows.append({"patient_id": patient.id, "encounter_id": enc.id, "date": enc.date})
        for pos, rec in enumerate(enc.records):
            rrows.append(_record_row(patient.id, enc.id, pos, rec, scored=scored))
    return prow, erows, rrows


def fill_scores(rows: list[dict[str, Any]], records: list[Record]) -> None:
    """Score the instrument records of ``rows`` in bulk (rows and records align)."""
    pairs = [
        (row, rec)
        for row, rec in zip(rows, records, strict=True)
        if isinstance(rec, InstrumentRecord)
    ]
    for (row, _), cols in zip(pairs, score_many([rec for _, rec in pairs]), strict=True):
        row.update(cols)


def _record_row(
    patient_id: str, encounter_id: str, position: int, rec: Record, *, scored: bool = True
) -> dict[str, Any]:
    row = {
        "patient_id": patient_id,
        "encounter_id": encounter_id,
        "position": position,
        "kind": rec.kind,
        "payload": rec.model_dump_json(),
    }
    row.update(record_columns(rec, scored=scored))
    return row


def _iso(value: Any) -> Any:
    return value.isoformat()


def _json_text(value: Any) -> Any:
    return as_json_text(value)


#: SQLite fast path: how to convert Python values the way SQLAlchemy's types would.
_SQLITE_CONVERT: dict[str, Callable[[Any], Any]] = {
    "pain_onset": _iso,
    "date": _iso,
    "start_date": _iso,
    "end_date": _iso,
    "subscales": _json_text,
    "payload": _json_text,
    "score_complete": int,
}


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Multi-row insert; on SQLite straight through the driver (the bulk fast path)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    quote = conn.dialect.identifier_preparer.quote
    names = [c.name for c in table.columns]
    convert = [(i, _SQLITE_CONVERT[n]) for i, n in enumerate(names) if n in _SQLITE_CONVERT]
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    # every row dict built here has every column as a key
    pick = operator.itemgetter(*names)
    data = []
    for row in rows:
        values = list(pick(row))
        for i, fn in convert:
            if values[i] is not None:
                values[i] = fn(values[i])
        data.append(tuple(values))
    conn.exec_driver_sql(sql, data)


def _row_batch(batch: list[Patient]) -> RowBatch:
    """Driver-ready rows of a batch of validated patients (see :mod:`painmap.store.bulk`)."""
    builder = RowBuilder()
    for p in batch:
        builder.add(p)
    return builder.finish()


def _check_new(
    conn: Connection, ids: list[str], seen: set[str], existing: set[str] | None = None
) -> None:
    """Raise DuplicateId when an id repeats (``seen`` is updated) or already exists.

    With ``existing``, ids already in the database are added to it instead.
    """
    for pid in ids:
        if pid in seen:
            raise DuplicateId("id", f"patient {pid!r} appears more than once")
        seen.add(pid)
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        query = select(_P.c.id).where(_P.c.id.in_(chunk))
        if existing is not None:
            existing.update(conn.execute(query).scalars())
            continue
        clash = conn.execute(query.limit(1)).first()
        if clash is not None:
            raise DuplicateId("id", f"patient {clash[0]!r} already exists")


@dataclass(frozen=True)
class BackupReport:
    """What :meth:`Store.backup` wrote."""

    path: Path
    bytes: int
    patients: int


class Store:
    """Repository over one painmap database (SQLite file or PostgreSQL).

    Use :func:`open_store` to get one. Methods taking ``actor`` audit what they read or
    write, one audit row per patient, in the same transaction.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- plumbing -----------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection for reads that write no audit row (counts, id checks)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            yield conn

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error.

        Inside a unit of a :class:`~painmap.store.group_commit.GroupCommit` on this
        store's engine, the session joins the group's transaction in a savepoint of its
        own instead (committed, and made durable, with the group).
        """
        joined = joined_connection()
        if joined is not None and joined.engine is self.engine:
            with savepoint_session(joined) as session:
                yield session
            return
        with self._sessions() as session, session.begin():
            yield session

    def _id_order(self) -> Any:
        """Patient ids in byte order on every backend (PostgreSQL: the "C" collation),
        so exports list patients in the same order on SQLite and PostgreSQL."""
        if self.backend == "postgresql":
            return _P.c.id.collate("C")
        return _P.c.id

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (creates it in a new database)."""
        migrate.upgrade(self.engine)

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- counts -------------------------------------------------------------------------

    def _count(self, table: Any) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def count_patients(self) -> int:
        """Number of patients."""
        return self._count(_P)

    def count_encounters(self) -> int:
        """Number of encounters."""
        return self._count(_E)

    def count_records(self) -> int:
        """Number of records (all kinds)."""
        return self._count(_R)

    def is_empty(self) -> bool:
        """Whether the database holds no patient."""
        with self._read() as conn:
            return conn.execute(select(_P.c.id).limit(1)).first() is None

    # -- writes -------------------------------------------------------------------------

    def add_patients(
        self,
        patients: Iterable[Patient],
        *,
        actor: Actor,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Add new patients with their encounters and records, all or nothing.

        One transaction; rows are inserted in batches with multi-row inserts (the bulk
        path). One audit row (``import``) is written per patient.

        Parameters
        ----------
        patients : iterable of Patient
            Validated patients; may be a generator (consumed once, in batches).
        actor : Actor
            Who imports.
        progress : callable, optional
            Called with the number of patients written so far after each batch.

        Returns
        -------
        int
            Number of patients written.

        Raises
        ------
        DuplicateId
            When a patient id repeats in ``patients`` or already exists; nothing is
            written then.
        """
        if self.backend == "sqlite":
            rows = (_row_batch(batch) for batch in _batched(patients, BATCH))
            return self.add_row_batches(rows, actor=actor, progress=progress)
        seen: set[str] = set()
        total = 0
        with paused_gc(), self.session() as session:
            conn = session.connection()
            for batch in _batched(patients, BATCH):
                _check_new(conn, [p.id for p in batch], seen)
                prows: list[dict[str, Any]] = []
                erows: list[dict[str, Any]] = []
                rrows: list[dict[str, Any]] = []
                items: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
                records: list[Record] = []
                for p in batch:
                    prow, es, rs = patient_rows(p, scored=False)
                    prows.append(prow)
                    erows.extend(es)
                    rrows.extend(rs)
                    records.extend(r for e in p.encounters for r in e.records)
                    items.append((p.id, p.id, {"encounters": len(es), "records": len(rs)}))
                fill_scores(rrows, records)
                _insert(conn, _P, prows)
                _insert(conn, _E, erows)
                _insert(conn, _R, rrows)
                audit.append_many(session, actor, "import", "patient", items)
                total += len(batch)
                if progress is not None:
                    progress(total)
        return total

    def add_row_batches(
        self,
        batches: Iterable[RowBatch],
        *,
        actor: Actor,
        progress: Callable[[int], None] | None = None,
        existing: set[str] | None = None,
    ) -> int:
        """Add patients given as ready rows (SQLite's bulk import), all or nothing.

        Like :meth:`add_patients`, for rows already built by a
        :class:`~painmap.store.bulk.RowBuilder` (possibly in other processes): one
        transaction, the same checks for repeated and existing ids, one ``import``
        audit row per patient in the same transaction.

        Parameters
        ----------
        batches : iterable of RowBatch
            May be a generator (consumed once).
        actor : Actor
            Who imports.
        progress : callable, optional
            Called with the number of patients written so far after each batch.
        existing : set, optional
            Collect the ids that already exist here instead of raising; once any is
            found, later batches are only checked, not written (the caller, which
            must then raise to roll back, can count them all).

        Returns
        -------
        int
            Number of patients written.

        Raises
        ------
        DuplicateId
            When a patient id repeats or already exists; nothing is written then.
        StoreNotReady
            On a PostgreSQL store (use :meth:`add_patients`).
        """
        if self.backend != "sqlite":
            raise StoreNotReady("ready-made row batches are SQLite's bulk path")
        seen: set[str] = set()
        total = 0
        with paused_gc(), self.session() as session:
            conn = session.connection()
            # a big page cache keeps index pages of a large import out of the WAL until
            # commit; reset when the connection returns to the pool
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            for batch in batches:
                ids = [pid for _, pid, _ in batch.audit if pid is not None]
                _check_new(conn, ids, seen, existing)
                if existing:
                    continue
                insert_batch(conn, batch)
                audit.append_many(session, actor, "import", "patient", batch.audit)
                total += len(batch.audit)
                if progress is not None:
                    progress(total)
        return total

    def add_patient(self, patient: Patient, *, actor: Actor) -> None:
        """Add one new patient (see :meth:`add_patients`), audited as ``create``."""
        with self.session() as session:
            conn = session.connection()
            if conn.execute(select(_P.c.id).where(_P.c.id == patient.id)).first() is not None:
                raise DuplicateId("id", f"patient {patient.id!r} already exists")
            prow, erows, rrows = patient_rows(patient)
            _insert(conn, _P, [prow])
            _insert(conn, _E, erows)
            _insert(conn, _R, rrows)
            audit.append(
                session,
                actor,
                "create",
                "patient",
                entity_id=patient.id,
                patient_id=patient.id,
                detail={"encounters": len(erows), "records": len(rrows)},
            )

    def add_encounter(self, patient_id: str, encounter: Encounter, *, actor: Actor) -> None:
        """Add a new encounter (with its records) to an existing patient.

        Raises
        ------
        NotFound
            When the patient does not exist.
        DuplicateId
            When the patient already has an encounter with this id.
        ValidationFailure
            When the encounter date precedes the patient's birth year.
        """
        with self.session() as session:
            conn = session.connection()
            prow = conn.execute(select(_P).where(_P.c.id == patient_id)).first()
            if prow is None:
                raise NotFound(f"no patient with id {patient_id!r}")
            exists = conn.execute(
                select(_E.c.encounter_id).where(
                    _E.c.patient_id == patient_id, _E.c.encounter_id == encounter.id
                )
            ).first()
            if exists is not None:
                raise DuplicateId("encounters.id", f"encounter {encounter.id!r} already exists")
            if encounter.date.year < prow.birth_year:
                raise ValidationFailure("date", "encounter date precedes the birth year")
            rrows = [
                _record_row(patient_id, encounter.id, pos, rec)
                for pos, rec in enumerate(encounter.records)
            ]
            _insert(
                conn,
                _E,
                [{"patient_id": patient_id, "encounter_id": encounter.id, "date": encounter.date}],
            )
            _insert(conn, _R, rrows)
            audit.append(
                session,
                actor,
                "create",
                "encounter",
                entity_id=encounter.id,
                patient_id=patient_id,
                detail={"new": encounter.model_dump(mode="json")},
            )

    def add_record(
        self, patient_id: str, encounter_id: str, record: Record, *, actor: Actor
    ) -> int:
        """Append a record to an existing encounter; return its position.

        Raises
        ------
        NotFound
            When the patient or the encounter does not exist.
        """
        with self.session() as session:
            conn = session.connection()
            exists = conn.execute(
                select(_E.c.encounter_id).where(
                    _E.c.patient_id == patient_id, _E.c.encounter_id == encounter_id
                )
            ).first()
            if exists is None:
                raise NotFound(f"no encounter {encounter_id!r} for patient {patient_id!r}")
            last = conn.execute(
                select(func.max(_R.c.position)).where(
                    _R.c.patient_id == patient_id, _R.c.encounter_id == encounter_id
                )
            ).scalar_one()
            position = 0 if last is None else int(last) + 1
            _insert(conn, _R, [_record_row(patient_id, encounter_id, position, record)])
            audit.append(
                session,
                actor,
                "create",
                "record",
                entity_id=f"{encounter_id}/{position}",
                patient_id=patient_id,
                detail={"new": record.model_dump(mode="json")},
            )
            return position

    # -- reads --------------------------------------------------------------------------

    def _load(self, conn: Connection, ids: Sequence[str]) -> dict[str, Patient]:
        """Assemble whole patients for ``ids`` (three queries, any number of ids)."""
        prows = conn.execute(select(_P).where(_P.c.id.in_(ids))).all()
        erows = conn.execute(
            select(_E.c.patient_id, _E.c.encounter_id, _E.c.date).where(_E.c.patient_id.in_(ids))
        ).all()
        rrows = conn.execute(
            select(_R.c.patient_id, _R.c.encounter_id, _R.c.position, _R.c.payload)
            .where(_R.c.patient_id.in_(ids))
            .order_by(_R.c.patient_id, _R.c.encounter_id, _R.c.position)
        ).all()
        records: dict[tuple[str, str], list[Any]] = {}
        for r in rrows:
            records.setdefault((r.patient_id, r.encounter_id), []).append(as_object(r.payload))
        encounters: dict[str, list[dict[str, Any]]] = {}
        for e in erows:
            encounters.setdefault(e.patient_id, []).append(
                {
                    "id": e.encounter_id,
                    "date": e.date,
                    "records": records.get((e.patient_id, e.encounter_id), []),
                }
            )
        return {
            p.id: Patient.model_validate(
                {
                    "id": p.id,
                    "birth_year": p.birth_year,
                    "sex": p.sex,
                    "pain_onset": p.pain_onset,
                    "encounters": encounters.get(p.id, []),
                }
            )
            for p in prows
        }

    def get_patient(self, patient_id: str, *, actor: Actor) -> Patient:
        """Load one whole patient (encounters and records), audited as ``read``.

        Raises
        ------
        NotFound
            When no patient has this id.
        """
        with self.session() as session:
            found = self._load(session.connection(), [patient_id])
            if patient_id not in found:
                raise NotFound(f"no patient with id {patient_id!r}")
            audit.append(
                session, actor, "read", "patient", entity_id=patient_id, patient_id=patient_id
            )
            return found[patient_id]

    def chart(self, patient_id: str, *, actor: Actor) -> PatientChart:
        """The whole patient plus the timeline with stored scores (one ``read`` audit row).

        Raises
        ------
        NotFound
            When no patient has this id.
        """
        with self.session() as session:
            conn = session.connection()
            found = self._load(conn, [patient_id])
            if patient_id not in found:
                raise NotFound(f"no patient with id {patient_id!r}")
            patient = found[patient_id]
            scores = {
                (r.encounter_id, r.position): StoredScore(
                    instrument=r.instrument,
                    score=r.score,
                    max=r.score_max,
                    category=r.score_category,
                    complete=r.score_complete,
                    answered=r.score_answered,
                    subscales=as_object(r.subscales),
                )
                for r in conn.execute(
                    select(
                        _R.c.encounter_id,
                        _R.c.position,
                        _R.c.instrument,
                        _R.c.score,
                        _R.c.score_max,
                        _R.c.score_category,
                        _R.c.score_complete,
                        _R.c.score_answered,
                        _R.c.subscales,
                    ).where(_R.c.patient_id == patient_id, _R.c.instrument.is_not(None))
                )
            }
            entries = [
                TimelineEntry(
                    encounter_id=enc.id,
                    date=enc.date,
                    position=pos,
                    kind=rec.kind,
                    record=rec,
                    score=scores.get((enc.id, pos)),
                )
                for enc in patient.encounters
                for pos, rec in enumerate(enc.records)
            ]
            audit.append(
                session, actor, "read", "patient", entity_id=patient_id, patient_id=patient_id
            )
            return PatientChart(patient=patient, entries=entries)

    def timeline(self, patient_id: str, *, actor: Actor) -> list[TimelineEntry]:
        """A patient's records in date order with stored scores (see :meth:`chart`)."""
        return self.chart(patient_id, actor=actor).entries

    def list_patients(
        self,
        *,
        actor: Actor,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
        ids: Collection[str] | None = None,
    ) -> list[PatientSummary]:
        """Patients in id order with encounter counts and first/last visit dates.

        Parameters
        ----------
        actor : Actor
            Who lists; one ``list`` audit row records how many patients were shown.
        search : str, optional
            Keep ids containing this text (case-insensitive).
        limit, offset : int
            Paging.
        ids : collection of str, optional
            Only these patients (for example those in one clinician's care); the query
            reads only their rows, however large the database.
        """
        if limit < 0 or offset < 0:
            raise ValidationFailure("limit", "limit and offset must not be negative")
        wanted = None if ids is None else sorted(set(ids))
        with self.session() as session:
            conn = session.connection()
            if wanted is None:
                rows = conn.execute(self._summary_query(None, search, limit, offset)).all()
            else:  # in runs of the sorted ids, each a bounded IN list, so already in order
                rows = []
                for i in range(0, len(wanted), LIST_IDS_RUN):
                    run = wanted[i : i + LIST_IDS_RUN]
                    rows += conn.execute(self._summary_query(run, search, None, 0)).all()
                rows = rows[offset : offset + limit]
            out = [
                PatientSummary(
                    id=r.id,
                    birth_year=r.birth_year,
                    sex=r.sex,
                    pain_onset=r.pain_onset,
                    encounters=int(r.n or 0),
                    first_visit=r.first,
                    last_visit=r.last,
                )
                for r in rows
            ]
            audit.append(
                session, actor, "list", "patient", detail={"count": len(out), "offset": offset}
            )
            return out

    def _summary_query(
        self, ids: list[str] | None, search: str | None, limit: int | None, offset: int
    ) -> Any:
        """The patient-summary query, over ``ids`` only when given."""
        agg_query = select(
            _E.c.patient_id,
            func.count().label("n"),
            func.min(_E.c.date).label("first"),
            func.max(_E.c.date).label("last"),
        )
        if ids is not None:
            agg_query = agg_query.where(_E.c.patient_id.in_(ids))
        agg = agg_query.group_by(_E.c.patient_id).subquery()
        query = select(
            _P.c.id, _P.c.birth_year, _P.c.sex, _P.c.pain_onset, agg.c.n, agg.c.first, agg.c.last
        ).outerjoin(agg, agg.c.patient_id == _P.c.id)
        if ids is not None:
            query = query.where(_P.c.id.in_(ids))
        if search:
            query = query.where(_P.c.id.icontains(search, autoescape=True))
        query = query.order_by(self._id_order())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return query

    def iter_patients(
        self, *, actor: Actor | None = None, action: str = "read", batch: int = BATCH
    ) -> Iterator[Patient]:
        """Stream every patient in id order (for exports and cohort analytics).

        Reads in batches of ``batch`` patients, each batch in its own short transaction.
        When ``actor`` is given, each patient read is audited (one ``action`` row each,
        e.g. ``read`` or ``export``, written with the batch that read it).
        """
        last: str | None = None
        while True:
            with self.session() as session:
                conn = session.connection()
                query = select(_P.c.id).order_by(self._id_order()).limit(batch)
                if last is not None:
                    query = query.where(self._id_order() > last)
                ids = list(conn.execute(query).scalars())
                if not ids:
                    return
                found = self._load(conn, ids)
                if actor is not None:
                    audit.append_many(
                        session, actor, action, "patient", [(i, i, {"bulk": True}) for i in ids]
                    )
            for pid in ids:
                yield found[pid]
            last = ids[-1]

    def existing_patient_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` already exist (identifiers only; not a clinical read)."""
        wanted = list(ids)
        found: set[str] = set()
        with self._read() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                found.update(conn.execute(select(_P.c.id).where(_P.c.id.in_(chunk))).scalars())
        return found

    def patient_ids(self) -> list[str]:
        """All patient ids in order (identifiers only; not audited as a clinical read)."""
        with self._read() as conn:
            return list(conn.execute(select(_P.c.id).order_by(self._id_order())).scalars())

    # -- maintenance --------------------------------------------------------------------

    def backup(self, path: str | os.PathLike[str]) -> BackupReport:
        """Copy a live SQLite database with SQLite's online backup API.

        The copy is written next to ``path`` and renamed into place only after
        ``PRAGMA integrity_check`` passed on it.

        Raises
        ------
        BackupUnsupported
            For PostgreSQL (use ``pg_dump``; the message says how).
        ValidationFailure
            When ``path`` already exists.
        """
        if self.backend != "sqlite":
            raise BackupUnsupported(pg_dump_guidance(self.url, Path(path)))
        dest = Path(path)
        if dest.exists():
            raise ValidationFailure("path", "already exists; choose a new file")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
        raw = self.engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
                check = target.execute("PRAGMA integrity_check").fetchone()
                if check is None or check[0] != "ok":
                    raise StoreNotReady(f"backup failed its integrity check: {check}")
                patients = int(target.execute("SELECT count(*) FROM patients").fetchone()[0])
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            raw.close()
        os.replace(partial, dest)
        return BackupReport(dest, dest.stat().st_size, patients)


def pg_dump_guidance(url: str, path: Path) -> str:
    """How to back up a PostgreSQL painmap database with ``pg_dump`` (no password shown)."""
    parsed = parse_url(url)
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    target = f"postgresql://{user}{parsed.host or 'localhost'}{port}/{parsed.database or ''}"
    return (
        "the online backup API is SQLite's; for PostgreSQL run\n"
        f"  pg_dump --format=custom --file {path} '{target}'\n"
        "(password from ~/.pgpass or PGPASSWORD) and restore with\n"
        f"  pg_restore --clean --if-exists --dbname '{target}' {path}"
    )


def open_store(url: str | None = None, *, create: bool = False) -> Store:
    """Open the painmap database at ``url`` (see :func:`resolve_url`).

    Parameters
    ----------
    url : str, optional
        Database URL; default ``$PAINMAP_DATABASE_URL`` or the SQLite file in the user
        data directory.
    create : bool, optional
        Create the database (SQLite file and directory) when missing and migrate it to
        the newest schema. Without it, a missing or outdated database is an error.

    Returns
    -------
    Store
        The repository.

    Raises
    ------
    StoreNotReady
        When the database does not exist, cannot be reached, or needs ``painmap init``.
    """
    resolved = resolve_url(url)
    parsed = parse_url(resolved)
    sqlite_missing = (
        parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()
    )
    if sqlite_missing and not create:
        raise StoreNotReady("no painmap database there yet; run `painmap init` first")
    engine = make_engine(resolved, create_dirs=create)
    store = Store(engine, resolved)
    try:
        if create:
            store.upgrade()
        else:
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            if current is None:
                raise StoreNotReady("the database has no painmap schema; run `painmap init`")
            if current != head:
                raise StoreNotReady(
                    f"the database schema is at revision {current}, this painmap needs "
                    f"{head}; run `painmap init` to upgrade it"
                )
    except OperationalError as exc:
        engine.dispose()
        raise StoreNotReady(f"cannot open the database: {exc.orig}") from exc
    except BaseException:
        engine.dispose()
        raise
    return store


__all__ = [
    "BackupReport",
    "Store",
    "cli_actor",
    "open_store",
    "pg_dump_guidance",
    "resolve_url",
]
