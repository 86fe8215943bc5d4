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

# Episodes get an integer key (eid) so that everything after the one join of scores to
# episodes on the patient id groups and joins on integers. The follow-up of a window is the
# visit with the smallest ``distance to the target day * KEY + days after the start``: the
# nearest visit, ties to the earlier one (days < KEY, see below).
_SQL = """
WITH ep AS (
    SELECT row_number() OVER () AS eid, patient_id, episode, type, target, level, side, start,
           lead(start) OVER (PARTITION BY patient_id ORDER BY episode) AS next_start
    FROM treatments
),
j AS (
    SELECT ep.eid, ep.start, ep.next_start, sc.instrument, sc.score, sc.date,
           date_diff('day', ep.start, sc.date) AS days
    FROM ep JOIN scores sc ON sc.patient_id = ep.patient_id
    WHERE sc.instrument IN (SELECT instrument FROM instruments)
      AND sc.date >= ep.start - to_days(CAST($lookback AS INTEGER))
),
base AS (
    SELECT eid, instrument, arg_max(score, date) AS baseline, max(date) AS baseline_date
    FROM j WHERE date <= start
    GROUP BY eid, instrument
),
fu AS (
    SELECT j.eid, j.instrument, w.month,
           min(abs(j.days - w.target_day) * $key + j.days) AS k,
           arg_min(j.score, abs(j.days - w.target_day) * $key + j.days) AS score,
           arg_min(j.date, abs(j.days - w.target_day) * $key + j.days) AS date
    FROM j JOIN windows w ON j.days BETWEEN w.first_day AND w.last_day
    WHERE j.next_start IS NULL OR j.date < j.next_start
    GROUP BY j.eid, j.instrument, w.month
)
SELECT ep.patient_id, ep.episode, ep.type, ep.target, ep.level, ep.side, ep.start,
       i.instrument, w.month, b.baseline, b.baseline_date,
       f.score AS followup, f.date AS followup_date, f.k % $key AS days
FROM ep CROSS JOIN instruments i CROSS JOIN windows w
LEFT JOIN base b ON b.eid = ep.eid AND b.instrument = i.instrument
LEFT JOIN fu f ON f.eid = ep.eid AND f.instrument = i.instrument AND f.month = w.month
"""

#: Larger than any day inside a window (windows start after the treatment start).
_KEY = max(w.last_day for w in WINDOWS) + 1
if min(w.first_day for w in WINDOWS) < 0:  # pragma: no cover - a constant of windows.py
    raise ValueError("follow-up windows must start on or after the treatment start")

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
        df: pd.DataFrame = con.execute(
            _SQL, {"lookback": BASELINE_LOOKBACK_DAYS, "key": _KEY}).df()
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
    if list(df.columns) == OUTCOME_COLUMNS:  # as built above: no copy of a large table
        return df
    return df.reindex(columns=OUTCOME_COLUMNS)
