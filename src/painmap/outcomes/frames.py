"""Columnar views of clinical records: the tables every outcome computation starts from.

The same three tables come either from :class:`~painmap.record.Patient` objects (one
patient, tests, the demo) through :func:`frames_from_patients`, or straight from the
store's indexed columns for whole cohorts (``painmap.report.cohort_data``), so the
per-patient and the cohort analyses run the very same code.

``patients``   patient_id, birth_year, sex
``scores``     patient_id, date, instrument, score, category
``treatments`` patient_id, episode, type, target, level, root, side, start, end
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from painmap.instruments import answers_to_row, score_batch
from painmap.outcomes.windows import COVARIATE_INSTRUMENTS, OUTCOME_INSTRUMENTS
from painmap.record.models import InstrumentRecord, Patient, TreatmentRecord

#: Instruments kept in the ``scores`` table.
SCORED_INSTRUMENTS: tuple[str, ...] = OUTCOME_INSTRUMENTS + COVARIATE_INSTRUMENTS

PATIENT_COLUMNS = ["patient_id", "birth_year", "sex"]
SCORE_COLUMNS = ["patient_id", "date", "instrument", "score", "category"]
TREATMENT_COLUMNS = ["patient_id", "episode", "type", "target", "level", "root", "side",
                     "start", "end"]


@dataclass(frozen=True)
class Frames:
    """The three input tables of the outcome analyses (pandas DataFrames)."""

    patients: pd.DataFrame
    scores: pd.DataFrame
    treatments: pd.DataFrame


def _dates(df: pd.DataFrame, cols: Iterable[str]) -> pd.DataFrame:
    for c in cols:
        if not pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = pd.to_datetime(df[c], format="ISO8601")
        df[c] = df[c].astype("datetime64[ns]")
    return df


def normalise(patients: pd.DataFrame, scores: pd.DataFrame, treatments: pd.DataFrame) -> Frames:
    """Give the three tables their canonical columns, dtypes and episode numbers.

    Episodes are numbered 1, 2, ... per patient in order of start date.
    """
    patients = patients.reindex(columns=PATIENT_COLUMNS).copy()
    scores = _dates(scores.reindex(columns=SCORE_COLUMNS).copy(), ["date"])
    scores["score"] = scores["score"].astype(float)
    treatments = treatments.reindex(columns=TREATMENT_COLUMNS).copy()
    treatments = _dates(treatments, ["start", "end"])
    treatments = treatments.sort_values(["patient_id", "start", "type"], kind="stable")
    treatments["episode"] = treatments.groupby("patient_id").cumcount() + 1
    return Frames(patients.reset_index(drop=True), scores.reset_index(drop=True),
                  treatments.reset_index(drop=True))


def frames_from_patients(patients: Iterable[Patient]) -> Frames:
    """Build the outcome tables from patient records (instruments are scored here).

    Parameters
    ----------
    patients : iterable of Patient
        Patients with their encounters.

    Returns
    -------
    Frames
    """
    prow: list[dict[str, object]] = []
    trow: list[dict[str, object]] = []
    keys: dict[str, list[tuple[str, object]]] = {i: [] for i in SCORED_INSTRUMENTS}
    rows: dict[str, list[list[float]]] = {i: [] for i in SCORED_INSTRUMENTS}
    for p in patients:
        prow.append({"patient_id": p.id, "birth_year": p.birth_year, "sex": p.sex.value})
        for e in p.encounters:
            for r in e.records:
                if isinstance(r, InstrumentRecord) and r.instrument in SCORED_INSTRUMENTS:
                    keys[r.instrument].append((p.id, e.date))
                    rows[r.instrument].append(answers_to_row(r.instrument, r.answers))
                elif isinstance(r, TreatmentRecord):
                    trow.append({
                        "patient_id": p.id, "episode": 0, "type": r.type.value,
                        "target": r.target.value if r.target else None,
                        "level": r.level.value if r.level else None,
                        "root": r.root.value if r.root else None,
                        "side": r.side.value if r.side else None,
                        "start": r.start, "end": r.end,
                    })
    parts = []
    for inst in SCORED_INSTRUMENTS:
        if not rows[inst]:
            continue
        batch = score_batch(inst, np.asarray(rows[inst], dtype=float))
        codes = np.asarray([*batch.category_codes, None], dtype=object)
        parts.append(pd.DataFrame({
            "patient_id": [k[0] for k in keys[inst]],
            "date": [k[1] for k in keys[inst]],
            "instrument": inst,
            "score": batch.score,
            "category": codes[batch.category],
        }))
    scores = (pd.concat(parts, ignore_index=True) if parts
              else pd.DataFrame(columns=SCORE_COLUMNS))
    scores = scores[scores["score"].notna()]
    return normalise(pd.DataFrame(prow, columns=PATIENT_COLUMNS), scores,
                     pd.DataFrame(trow, columns=TREATMENT_COLUMNS))
