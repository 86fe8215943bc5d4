"""Read the outcome tables of a whole cohort from the store, column-wise.

The store keeps, next to each record's JSON, typed columns computed when the record was
stored: the instrument score and category, the treatment type, target, level, side and
dates. This module reads just those columns with three SQLAlchemy Core queries
(read-only; the store's tables define them) and hands them to pandas in bulk, so a
100 000-patient cohort is read without building a single ``Patient`` object. The
cohort read is audited once, as ``read`` of ``cohort``, with the number of patients.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, select

from painmap.outcomes.frames import (
    PATIENT_COLUMNS,
    SCORE_COLUMNS,
    SCORED_INSTRUMENTS,
    TREATMENT_COLUMNS,
    Frames,
    normalise,
)
from painmap.store import Actor, Store, audit
from painmap.store.tables import EncounterRow, PatientRow, RecordRow


def _fetch(conn: Connection, query: Select[Any], columns: list[str]) -> pd.DataFrame:
    """Run a Core query; on SQLite through the raw cursor (C-speed rows, ISO date text)."""
    if conn.dialect.name == "sqlite":
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            rows = cursor.execute(str(compiled)).fetchall()
        finally:
            cursor.close()
        return pd.DataFrame.from_records(rows, columns=columns)
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


def read_frames(store: Store, *, actor: Actor) -> Frames:
    """The ``patients``, ``scores`` and ``treatments`` tables of every patient.

    Parameters
    ----------
    store : Store
        An open store.
    actor : Actor
        Who reads (audited once for the whole cohort).

    Returns
    -------
    Frames
    """
    p, e, r = PatientRow.__table__, EncounterRow.__table__, RecordRow.__table__
    q_patients = select(p.c.id, p.c.birth_year, p.c.sex)
    # no join and no instrument filter in SQL: a sequential scan of the records beats
    # index lookups here (an instrument filter makes SQLite use ix_records_instrument, and
    # a join in SQLite was slower than in pandas); encounter dates are joined in pandas
    q_scores = select(r.c.patient_id, r.c.encounter_id, r.c.instrument, r.c.score,
                      r.c.score_category).where(r.c.kind == "instrument")
    q_dates = select(e.c.patient_id, e.c.encounter_id, e.c.date)
    # every treatment record has a type, so the extra condition changes no row; it lets
    # SQLite read the few treatment rows through the partial index ix_records_treatment_type
    # instead of scanning all records a second time
    q_treat = select(
        r.c.patient_id, r.c.treatment_type, r.c.target, r.c.level, r.c.root, r.c.side,
        r.c.start_date, r.c.end_date,
    ).where(r.c.kind == "treatment", r.c.treatment_type.is_not(None))
    tcols = ["patient_id", "type", "target", "level", "root", "side", "start", "end"]
    with store.session() as session:
        conn = session.connection()
        patients = _fetch(conn, q_patients, PATIENT_COLUMNS)
        raw = _fetch(conn, q_scores, ["patient_id", "encounter_id", "instrument", "score",
                                      "category"])
        dates = _fetch(conn, q_dates, ["patient_id", "encounter_id", "date"])
        treat = _fetch(conn, q_treat, tcols)
        audit.append(session, actor, "read", "cohort",
                     detail={"patients": len(patients), "purpose": "outcomes"})
    raw = raw[raw["instrument"].isin(SCORED_INSTRUMENTS) & raw["score"].notna()]
    scores = raw.merge(dates, on=["patient_id", "encounter_id"], how="inner")
    scores["date"] = pd.to_datetime(scores["date"], format="ISO8601")
    scores = scores.reindex(columns=SCORE_COLUMNS)
    for c in ("start", "end"):
        treat[c] = pd.to_datetime(treat[c], format="ISO8601")
    treat["episode"] = 0
    return normalise(patients, scores, treat.reindex(columns=TREATMENT_COLUMNS))
