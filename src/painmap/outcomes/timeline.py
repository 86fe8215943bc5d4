"""Outcome tables: change from the pre-treatment baseline at 1, 3, 6 and 12 months.

:func:`outcome_table` turns the ``scores`` and ``treatments`` tables into one row per
treatment episode x outcome instrument x time point, with the baseline score, the
follow-up score chosen by the windows of :mod:`painmap.outcomes.windows`, the change and
the responder class. The joins run in DuckDB (in memory, on the DataFrames), so a
100 000-patient cohort is one query rather than a loop over patients.

Follow-up of an episode ends when the patient's next treatment episode starts: a visit
after that belongs to the next episode.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from painmap.outcomes.frames import Frames
from painmap.outcomes.responders import responder_levels
from painmap.outcomes.windows import BASELINE_LOOKBACK_DAYS, OUTCOME_INSTRUMENTS, WINDOWS

OUTCOME_COLUMNS = [
    "patient_id", "episode", "type", "target", "level", "side", "start", "instrument",
    "month", "baseline", "baseline_date", "followup", "followup_date", "days", "change",
    "improvement_percent", "responder_level", "meaningful",
]

_SQL = """
WITH ep AS (
    SELECT patient_id, episode, type, target, level, side, start,
           lead(start) OVER (PARTITION BY patient_id ORDER BY episode) AS next_start
    FROM treatments
),
sc AS (
    SELECT patient_id, date, instrument, score FROM scores
    WHERE instrument IN (SELECT instrument FROM instruments)
),
base AS (
    SELECT ep.patient_id, ep.episode, sc.instrument,
           arg_max(sc.score, sc.date) AS baseline, max(sc.date) AS baseline_date
    FROM ep JOIN sc ON sc.patient_id = ep.patient_id
    WHERE sc.date <= ep.start AND sc.date >= ep.start - to_days(CAST($lookback AS INTEGER))
    GROUP BY ALL
),
fu AS (
    SELECT ep.patient_id, ep.episode, sc.instrument, w.month, sc.score, sc.date,
           date_diff('day', ep.start, sc.date) AS days,
           row_number() OVER (
               PARTITION BY ep.patient_id, ep.episode, sc.instrument, w.month
               ORDER BY abs(date_diff('day', ep.start, sc.date) - w.target_day), sc.date
           ) AS rn
    FROM ep JOIN sc ON sc.patient_id = ep.patient_id
    JOIN windows w
      ON date_diff('day', ep.start, sc.date) BETWEEN w.first_day AND w.last_day
    WHERE ep.next_start IS NULL OR sc.date < ep.next_start
),
grid AS (
    SELECT ep.*, i.instrument, w.month
    FROM ep CROSS JOIN instruments i CROSS JOIN windows w
)
SELECT g.patient_id, g.episode, g.type, g.target, g.level, g.side, g.start,
       g.instrument, g.month, b.baseline, b.baseline_date,
       f.score AS followup, f.date AS followup_date, f.days
FROM grid g
LEFT JOIN base b USING (patient_id, episode, instrument)
LEFT JOIN (SELECT * FROM fu WHERE rn = 1) f USING (patient_id, episode, instrument, month)
"""

#: Tables up to this many rows are returned sorted (patient, episode, instrument, month);
#: larger cohort tables keep DuckDB's order, which saves a sort of millions of rows.
SORT_LIMIT = 50_000


def outcome_table(
    frames: Frames, instruments: tuple[str, ...] = OUTCOME_INSTRUMENTS
) -> pd.DataFrame:
    """Change from baseline and responder class per episode, instrument and time point.

    Parameters
    ----------
    frames : Frames
        Input tables (see :mod:`painmap.outcomes.frames`).
    instruments : tuple of str, optional
        Outcome instruments (default NRS, ODI, RMDQ, PROMIS PI 4a).

    Returns
    -------
    pandas.DataFrame
        Columns ``OUTCOME_COLUMNS``: ``change`` is follow-up minus baseline (negative =
        better), ``improvement_percent`` is ``(baseline - followup) / baseline * 100``
        (NaN at baseline 0), ``responder_level`` / ``meaningful`` follow the
        instrument's meaningful-change rules (None where a score is missing).
    """
    con = duckdb.connect()
    try:
        con.register("treatments", frames.treatments)
        con.register("scores", frames.scores)
        con.register("instruments", pd.DataFrame({"instrument": list(instruments)}))
        con.register("windows", pd.DataFrame({
            "month": [w.month for w in WINDOWS],
            "target_day": [w.target_day for w in WINDOWS],
            "first_day": [w.first_day for w in WINDOWS],
            "last_day": [w.last_day for w in WINDOWS],
        }))
        df: pd.DataFrame = con.execute(_SQL, {"lookback": BASELINE_LOOKBACK_DAYS}).df()
    finally:
        con.close()
    if len(df) <= SORT_LIMIT:
        df = df.sort_values(["patient_id", "episode", "instrument", "month"],
                            ignore_index=True)
    for c in ("start", "baseline_date", "followup_date"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    df["baseline"] = df["baseline"].astype(float)
    df["followup"] = df["followup"].astype(float)
    df["change"] = df["followup"] - df["baseline"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (df["baseline"] - df["followup"]) / df["baseline"].abs() * 100.0
    df["improvement_percent"] = pct.where(df["baseline"] != 0)
    df["responder_level"] = pd.Series([None] * len(df), dtype=object)
    df["meaningful"] = pd.Series([None] * len(df), dtype=object)
    for inst in instruments:
        sel = (df["instrument"] == inst).to_numpy()
        if sel.any():
            level, meaningful = responder_levels(inst, df.loc[sel, "baseline"].to_numpy(),
                                                 df.loc[sel, "followup"].to_numpy())
            df.loc[sel, "responder_level"] = level
            df.loc[sel, "meaningful"] = meaningful
    return df.reindex(columns=OUTCOME_COLUMNS)
