"""Durability of response: time to loss of response, with Kaplan-Meier estimates.

Definitions (on the pain NRS, IMMPACT rules of :mod:`painmap.instruments`):

- An episode **responds** when its first observed follow-up at 1 or 3 months shows a
  meaningful improvement (at least moderate: >= 30 % or >= 2 points).
- Its response is **lost** at the first later observed time point without a meaningful
  improvement; the time to loss is the days from the treatment start to that visit
  (the event is only seen at visits, so times are visit times).
- A responder not seen to lose the response is **censored** at its last observed
  follow-up visit (missed visits are skipped, not counted as losses).

Only responders enter the survival analysis; response rates are reported separately.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DURABILITY_COLUMNS = ["patient_id", "episode", "type", "target", "responded", "duration_days",
                      "lost"]


def durability_table(outcomes: pd.DataFrame, instrument: str = "nrs") -> pd.DataFrame:
    """Per-episode response, time to loss of response and censoring.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Output of :func:`painmap.outcomes.timeline.outcome_table`.
    instrument : str, optional
        Instrument whose meaningful change defines response (default ``"nrs"``).

    Returns
    -------
    pandas.DataFrame
        One row per episode with ``responded`` (bool, or NaN when no 1- or 3-month
        follow-up was observed), ``duration_days`` and ``lost`` (1 = lost, 0 =
        censored; NaN for non-responders).
    """
    keys = ["patient_id", "episode"]
    # only the columns used: copying the wide outcome table is what costs on large cohorts
    df = outcomes.loc[outcomes["instrument"] == instrument,
                      [*keys, "type", "target", "month", "followup", "meaningful", "days"]]
    grouped = df.groupby(keys, sort=True)
    meta = grouped[["type", "target"]].first()
    months = sorted(df["month"].unique())
    # one row per episode and month in the outcome table: spread them into a wide grid
    # (row = the episode's group number in sorted order, column = the month)
    row = grouped.ngroup().to_numpy()
    col = np.searchsorted(np.asarray(months), df["month"].to_numpy())
    n = len(meta)
    m = np.full((n, len(months)), np.nan)
    d = np.full((n, len(months)), np.nan)
    seen = df["followup"].notna().to_numpy()
    m[row, col] = np.where(seen, df["meaningful"].astype(float).to_numpy(), np.nan)
    d[row, col] = df["days"].astype(float).to_numpy()
    early = [i for i, mo in enumerate(months) if mo <= 3]
    first_idx = np.full(n, -1)
    for i in reversed(early):
        first_idx = np.where(~np.isnan(m[:, i]), i, first_idx)
    has_first = first_idx >= 0
    responded = np.full(n, np.nan)
    responded[has_first] = m[np.arange(n)[has_first], first_idx[has_first]]
    duration = np.full(n, np.nan)
    lost = np.full(n, np.nan)
    resp = responded == 1.0
    last_seen = np.where(resp, d[np.arange(n), np.maximum(first_idx, 0)], np.nan)
    done = ~resp
    for i in range(len(months)):
        later = resp & ~done & (i > first_idx) & ~np.isnan(m[:, i])
        loss_here = later & (m[:, i] == 0.0)
        duration[loss_here] = d[loss_here, i]
        lost[loss_here] = 1.0
        done |= loss_here
        kept = later & (m[:, i] == 1.0)
        last_seen[kept] = d[kept, i]
    censored = resp & ~done
    duration[censored] = last_seen[censored]
    lost[censored] = 0.0
    out = meta.reset_index()
    out["responded"] = pd.arrays.BooleanArray(responded == 1.0, np.isnan(responded))
    out["duration_days"] = duration
    out["lost"] = lost
    return out.reindex(columns=DURABILITY_COLUMNS)


@dataclass(frozen=True)
class KMCurve:
    """A Kaplan-Meier curve of time to loss of response for one group.

    Attributes
    ----------
    group : str
        Group label (a treatment type or phenotype).
    table : pandas.DataFrame
        ``days``, ``at_risk``, ``lost``, ``censored``, ``survival``, ``ci_lower``,
        ``ci_upper`` at each distinct time (from lifelines).
    median_days : float
        Median time to loss of response (inf when survival never falls to 0.5).
    n : int
        Responders in the group.
    """

    group: str
    table: pd.DataFrame
    median_days: float
    n: int


def kaplan_meier(durability: pd.DataFrame, by: str) -> list[KMCurve]:
    """Kaplan-Meier curves of time to loss of response, one per group.

    Parameters
    ----------
    durability : pandas.DataFrame
        Output of :func:`durability_table`, optionally with extra grouping columns.
    by : str
        Column to group by (``"type"`` or ``"target"``).

    Returns
    -------
    list of KMCurve
        Groups with at least one responder, sorted by label.
    """
    from lifelines import KaplanMeierFitter

    resp = durability[durability["responded"].fillna(False).astype(bool)]
    curves = []
    for label, g in resp.groupby(by, sort=True):
        kmf = KaplanMeierFitter()
        kmf.fit(g["duration_days"].to_numpy(float), g["lost"].to_numpy(float),
                label=str(label))
        ev = kmf.event_table
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_survival_function_
        table = pd.DataFrame({
            "days": ev.index.to_numpy(float),
            "at_risk": ev["at_risk"].to_numpy(int),
            "lost": ev["observed"].to_numpy(int),
            "censored": ev["censored"].to_numpy(int),
            "survival": sf.reindex(ev.index).to_numpy(float),
            "ci_lower": ci.iloc[:, 0].reindex(ev.index).to_numpy(float),
            "ci_upper": ci.iloc[:, 1].reindex(ev.index).to_numpy(float),
        })
        curves.append(KMCurve(str(label), table, float(kmf.median_survival_time_), len(g)))
    return curves
