"""Group-level models of the pain-ROI measures (statsmodels).

* :func:`group_comparison` — patients vs controls at baseline, OLS
  ``value ~ patient + age + sex + eTIV`` per ROI and measure; Cohen's d from the
  adjusted t statistic, ``d = t * sqrt(1/n_patients + 1/n_controls)``.
* :func:`longitudinal` — change from baseline to each later session in patients
  (one-sample OLS on the change; paired d = mean change / SD of change).
* :func:`pain_correlation` — Pearson correlation, in patients, of the change of each
  measure with the change of self-reported pain (NRS) and disability (ODI).
* :func:`task_activation` — painful > baseline effect at baseline, all participants.

Every table gets Benjamini-Hochberg FDR ``q`` across its rows. Inputs are tidy pandas
DataFrames; the functions do no I/O.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from painmap.neuro._deps import require
from painmap.neuro.guard import check_columns

ALPHA = 0.05


def _fdr(df: Any) -> Any:
    multitest = require("statsmodels.stats.multitest")
    df = df.copy()
    df["q"] = np.nan
    ok = df["p"].notna()
    if ok.any():
        df.loc[ok, "q"] = multitest.multipletests(df.loc[ok, "p"].to_numpy(), method="fdr_bh")[1]
    df["significant_fdr"] = df["q"] < ALPHA
    check_columns(df.columns)
    return df


def _zscore(x: Any) -> Any:
    sd = x.std(ddof=1)
    return (x - x.mean()) / sd if sd and np.isfinite(sd) and sd > 0 else x * 0.0


def baseline_session(sessions: list[str]) -> str:
    """The baseline session: the first in sorted order."""
    return sorted(sessions)[0]


def group_comparison(measures: Any, participants: Any, covariates: Any) -> Any:
    """Patients vs controls at baseline, adjusted for age, sex and eTIV.

    Parameters
    ----------
    measures : DataFrame
        Columns ``participant_id, session, roi, measure, value``.
    participants : DataFrame
        Columns ``participant_id, group (patient|control), age, sex``.
    covariates : DataFrame
        Columns ``participant_id, session, etiv_mm3``.

    Returns
    -------
    DataFrame
        One row per ROI and measure: ``roi, measure, n_patients, n_controls,
        mean_patients, mean_controls, estimate, se, ci_low, ci_high, percent_difference,
        cohens_d, t, p, q, significant_fdr``.
    """
    pd = require("pandas")
    lm = require("statsmodels.regression.linear_model")
    base = _baseline_rows(measures)
    cov = covariates[["participant_id", "session", "etiv_mm3"]]
    data = base.merge(participants, on="participant_id").merge(
        cov, on=["participant_id", "session"], how="left"
    )
    data = data[data["group"].isin(["patient", "control"])]
    rows = []
    for (roi, measure), d in data.groupby(["roi", "measure"], sort=False):
        d = d.dropna(subset=["value", "age", "sex"])
        n_p = int((d["group"] == "patient").sum())
        n_c = int((d["group"] == "control").sum())
        row: dict[str, Any] = {"roi": roi, "measure": measure, "n_patients": n_p, "n_controls": n_c}
        y = d["value"].astype(float)
        row["mean_patients"] = float(y[d["group"] == "patient"].mean()) if n_p else np.nan
        row["mean_controls"] = float(y[d["group"] == "control"].mean()) if n_c else np.nan
        x = pd.DataFrame({"patient": (d["group"] == "patient").astype(float)})
        x["age"] = _zscore(d["age"].astype(float))
        if d["sex"].nunique() > 1:
            x["sex_m"] = (d["sex"] == "M").astype(float)
        etiv = d["etiv_mm3"].astype(float)
        if etiv.notna().all() and etiv.nunique() > 1:
            x["etiv"] = _zscore(etiv)
        x.insert(0, "const", 1.0)
        if n_p >= 2 and n_c >= 2 and len(d) > x.shape[1] + 1:
            fit = lm.OLS(y.to_numpy(), x.to_numpy()).fit()
            j = list(x.columns).index("patient")
            ci = fit.conf_int()[j]
            row.update(
                estimate=float(fit.params[j]),
                se=float(fit.bse[j]),
                ci_low=float(ci[0]),
                ci_high=float(ci[1]),
                t=float(fit.tvalues[j]),
                p=float(fit.pvalues[j]),
            )
            row["cohens_d"] = row["t"] * float(np.sqrt(1.0 / n_p + 1.0 / n_c))
            row["percent_difference"] = (
                100.0 * row["estimate"] / row["mean_controls"]
                if abs(row["mean_controls"]) > 1e-12
                and not measure.startswith("fc_z_")
                and measure != "task_effect_pct"
                else np.nan
            )
        rows.append(row)
    cols = [
        "roi",
        "measure",
        "n_patients",
        "n_controls",
        "mean_patients",
        "mean_controls",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "percent_difference",
        "cohens_d",
        "t",
        "p",
    ]
    return _fdr(pd.DataFrame(rows).reindex(columns=cols))


def _baseline_rows(measures: Any) -> Any:
    first = measures.groupby("participant_id")["session"].transform(
        lambda s: baseline_session(list(s.unique()))
    )
    return measures[measures["session"] == first]


def _changes(measures: Any, participants: Any, group: str) -> Any:
    ids = participants.loc[participants["group"] == group, "participant_id"]
    m = measures[measures["participant_id"].isin(ids)]
    first = m.groupby("participant_id")["session"].transform(
        lambda s: baseline_session(list(s.unique()))
    )
    base = m[m["session"] == first][["participant_id", "roi", "measure", "value"]]
    later = m[m["session"] != first]
    out = later.merge(base, on=["participant_id", "roi", "measure"], suffixes=("", "_baseline"))
    out["change"] = out["value"] - out["value_baseline"]
    return out


def longitudinal(measures: Any, participants: Any) -> Any:
    """Change from baseline to each later session, in patients.

    Parameters
    ----------
    measures, participants : DataFrame
        As in :func:`group_comparison`.

    Returns
    -------
    DataFrame
        ``roi, measure, session, n, mean_baseline, mean_change, sd_change,
        percent_change, ci_low, ci_high, cohens_dz, t, p, q, significant_fdr``.
    """
    pd = require("pandas")
    lm = require("statsmodels.regression.linear_model")
    ch = _changes(measures, participants, "patient").dropna(subset=["change"])
    rows = []
    for (roi, measure, ses), d in ch.groupby(["roi", "measure", "session"], sort=False):
        y = d["change"].astype(float).to_numpy()
        row: dict[str, Any] = {
            "roi": roi,
            "measure": measure,
            "session": ses,
            "n": len(y),
            "mean_baseline": float(d["value_baseline"].mean()),
            "mean_change": float(y.mean()),
            "sd_change": float(y.std(ddof=1)) if len(y) > 1 else np.nan,
        }
        if len(y) >= 3 and np.ptp(y) > 0:
            fit = lm.OLS(y, np.ones((len(y), 1))).fit()
            ci = fit.conf_int()[0]
            row.update(
                t=float(fit.tvalues[0]),
                p=float(fit.pvalues[0]),
                ci_low=float(ci[0]),
                ci_high=float(ci[1]),
                cohens_dz=row["mean_change"] / row["sd_change"],
            )
        mb = row["mean_baseline"]
        row["percent_change"] = (
            100.0 * row["mean_change"] / mb
            if abs(mb) > 1e-12 and not measure.startswith("fc_z_") and measure != "task_effect_pct"
            else np.nan
        )
        rows.append(row)
    cols = [
        "roi",
        "measure",
        "session",
        "n",
        "mean_baseline",
        "mean_change",
        "sd_change",
        "percent_change",
        "ci_low",
        "ci_high",
        "cohens_dz",
        "t",
        "p",
    ]
    return _fdr(pd.DataFrame(rows).reindex(columns=cols))


def pain_correlation(measures: Any, participants: Any, pain: Any) -> Any:
    """Correlation, in patients, of Δmeasure with Δpain (NRS) and Δdisability (ODI).

    Parameters
    ----------
    measures, participants : DataFrame
        As in :func:`group_comparison`.
    pain : DataFrame
        ``participant_id, session, pain_nrs, odi`` (self-report per session).

    Returns
    -------
    DataFrame
        ``roi, measure, outcome (pain_nrs|odi), session, n, r, slope, t, p, q,
        significant_fdr``; ``slope`` is the change of the measure per point of change of
        the outcome.
    """
    pd = require("pandas")
    stats = require("scipy.stats")
    ch = _changes(measures, participants, "patient")
    p = pain.copy()
    first = p.groupby("participant_id")["session"].transform(
        lambda s: baseline_session(list(s.unique()))
    )
    pb = p[p["session"] == first].drop(columns=["session"])
    pl = p[p["session"] != first].merge(pb, on="participant_id", suffixes=("", "_baseline"))
    rows = []
    for outcome in ("pain_nrs", "odi"):
        pl[f"delta_{outcome}"] = pl[outcome].astype(float) - pl[f"{outcome}_baseline"].astype(float)
    data = ch.merge(pl, on=["participant_id", "session"])
    for (roi, measure, ses), d in data.groupby(["roi", "measure", "session"], sort=False):
        for outcome in ("pain_nrs", "odi"):
            dd = d[["change", f"delta_{outcome}"]].astype(float).dropna()
            x, y = dd[f"delta_{outcome}"].to_numpy(), dd["change"].to_numpy()
            row: dict[str, Any] = {
                "roi": roi,
                "measure": measure,
                "outcome": outcome,
                "session": ses,
                "n": len(dd),
            }
            if len(dd) >= 4 and np.ptp(x) > 0 and np.ptp(y) > 0:
                res = stats.linregress(x, y)
                row.update(
                    r=float(res.rvalue),
                    slope=float(res.slope),
                    t=float(res.slope / res.stderr) if res.stderr > 0 else np.nan,
                    p=float(res.pvalue),
                )
            rows.append(row)
    cols = ["roi", "measure", "outcome", "session", "n", "r", "slope", "t", "p"]
    return _fdr(pd.DataFrame(rows).reindex(columns=cols))


def task_activation(measures: Any, participants: Any) -> Any:
    """Painful > baseline response at baseline: one-sample tests per ROI and group.

    Parameters
    ----------
    measures, participants : DataFrame
        As in :func:`group_comparison`.

    Returns
    -------
    DataFrame
        ``roi, measure, group (all|patient|control), n, mean, sd, cohens_d, t, p, q,
        significant_fdr``.
    """
    pd = require("pandas")
    stats = require("scipy.stats")
    base = _baseline_rows(measures)
    base = base[base["measure"] == "task_effect_pct"].merge(participants, on="participant_id")
    rows = []
    for roi, d in base.groupby("roi", sort=False):
        for group in ("all", "patient", "control"):
            g = d if group == "all" else d[d["group"] == group]
            y = g["value"].astype(float).dropna().to_numpy()
            row: dict[str, Any] = {
                "roi": roi,
                "measure": "task_effect_pct",
                "group": group,
                "n": len(y),
            }
            if len(y) >= 3 and np.ptp(y) > 0:
                res = stats.ttest_1samp(y, 0.0)
                sd = float(y.std(ddof=1))
                row.update(
                    mean=float(y.mean()),
                    sd=sd,
                    cohens_d=float(y.mean()) / sd,
                    t=float(res.statistic),
                    p=float(res.pvalue),
                )
            rows.append(row)
    cols = ["roi", "measure", "group", "n", "mean", "sd", "cohens_d", "t", "p"]
    return _fdr(pd.DataFrame(rows).reindex(columns=cols))
