"""Read the outcome tables of a whole cohort from the store, column-wise.

The store keeps, next to each record's JSON, typed columns computed when the record was
stored: the instrument score and category, the treatment type, target, level, side and
dates. This module reads just those columns with three SQLAlchemy Core queries
(read-only; the store's tables define them) and hands them to pandas in bulk, so a
100 000-patient cohort is read without building a single ``Patient`` object. The
cohort read is audited once, as ``read`` of ``cohort``, with the number of patients.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

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
    q_scores = (
        select(r.c.patient_id, e.c.date, r.c.instrument, r.c.score, r.c.score_category)
        .join(e, (e.c.patient_id == r.c.patient_id) & (e.c.encounter_id == r.c.encounter_id))
        .where(r.c.kind == "instrument", r.c.instrument.in_(SCORED_INSTRUMENTS),
               r.c.score.is_not(None))
    )
    q_treat = select(
        r.c.patient_id, r.c.treatment_type, r.c.target, r.c.level, r.c.root, r.c.side,
        r.c.start_date, r.c.end_date,
    ).where(r.c.kind == "treatment")
    with store.session() as session:
        conn = session.connection()
        patients = pd.DataFrame(conn.execute(q_patients).all(), columns=PATIENT_COLUMNS)
        scores = pd.DataFrame(conn.execute(q_scores).all(), columns=SCORE_COLUMNS)
        treat = pd.DataFrame(
            conn.execute(q_treat).all(),
            columns=["patient_id", "type", "target", "level", "root", "side", "start", "end"],
        )
        audit.append(session, actor, "read", "cohort",
                     detail={"patients": len(patients), "purpose": "outcomes"})
    treat["episode"] = 0
    return normalise(patients, scores, treat.reindex(columns=TREATMENT_COLUMNS))
