"""Cohort outcomes: TSV tables, a readable summary and PNG plots in one directory.

``painmap outcomes cohort --out DIR`` calls :func:`cohort_report`. Groups are treatment
types (``by="treatment"``) or generator phenotypes (``by="phenotype"``: the structure the
treatment was aimed at, i.e. the working diagnosis recorded with it). The mixed models
are always time x treatment type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from painmap.outcomes import (
    Frames,
    ModelResult,
    describe,
    durability_table,
    fit_mixed_model,
    kaplan_meier,
    outcome_table,
)
from painmap.outcomes.durability import KMCurve

GroupBy = Literal["treatment", "phenotype"]
GROUP_COLUMN = {"treatment": "type", "phenotype": "target"}

#: Outcome instruments modelled with a mixed model.
MODELLED = ("nrs", "odi")


@dataclass
class CohortResult:
    """What :func:`cohort_report` computed and wrote."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    models: list[ModelResult] = field(default_factory=list)
    model_errors: dict[str, str] = field(default_factory=dict)
    n_patients: int = 0
    n_episodes: int = 0
    summary: str = ""


def _wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = 1.959964
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        den = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return centre - half, centre + half


def responder_rates(outcomes: pd.DataFrame, group: str) -> pd.DataFrame:
    """Share of episodes with a meaningful improvement, per group, instrument and month."""
    keys = [group, "instrument", "month"]
    # only the columns used: copying the wide outcome table is what costs on large cohorts
    o = outcomes.loc[outcomes["meaningful"].notna(), [*keys, "meaningful", "responder_level"]]
    o = o.assign(m=o["meaningful"].astype(bool), lvl=o["responder_level"].fillna("none"))
    g = o.groupby(keys)
    out = g["m"].agg(observed="size", responders="sum").reset_index()
    levels = ["substantial", "moderate", "minimal", "mic"]
    counts = (o.groupby([*keys, "lvl"]).size().unstack("lvl", fill_value=0)
              .reindex(columns=levels, fill_value=0)
              .reindex(pd.MultiIndex.from_frame(out[keys]), fill_value=0))
    for lvl in levels:
        out[lvl] = counts[lvl].to_numpy()
    k = out["responders"].to_numpy(float)
    n = out["observed"].to_numpy(float)
    out["rate"] = k / n
    out["ci_lower"], out["ci_upper"] = _wilson(k, n)
    return out.rename(columns={group: "group"})


def trajectories(outcomes: pd.DataFrame, group: str) -> pd.DataFrame:
    """Mean score at baseline (month 0) and each follow-up, with 95% CIs, per group."""
    # every episode x instrument has one row per month, all with the same baseline
    keys = [group, "instrument", "month"]
    o = outcomes[[*keys, "baseline", "followup", "change"]]
    first = o["month"] == o["month"].min()
    base = o.loc[first & o["baseline"].notna(), [group, "instrument", "baseline"]]
    base = base.assign(month=0).rename(columns={"baseline": "value"})
    fu = o.loc[o["followup"].notna(), [*keys, "followup"]].rename(columns={"followup": "value"})
    both = pd.concat([base[[*keys, "value"]], fu], ignore_index=True)
    g = both.groupby(keys)["value"]
    out = g.agg(n="size", mean="mean", sd="std").reset_index()
    se = out["sd"] / np.sqrt(out["n"])
    out["ci_lower"] = out["mean"] - 1.959964 * se
    out["ci_upper"] = out["mean"] + 1.959964 * se
    ch = o.loc[o["change"].notna(), [*keys, "change"]].groupby(keys)["change"]
    out = out.merge(ch.mean().rename("mean_change").reset_index(), how="left", on=keys)
    return out.rename(columns={group: "group"})


def _km_table(curves: list[KMCurve]) -> pd.DataFrame:
    parts = [c.table.assign(group=c.group) for c in curves]
    if not parts:
        return pd.DataFrame(columns=["group", "days", "at_risk", "lost", "censored", "survival",
                                     "ci_lower", "ci_upper"])
    t = pd.concat(parts, ignore_index=True)
    return t[["group", *[c for c in t.columns if c != "group"]]]


def _write_tsv(df: pd.DataFrame, path: Path, order_by: tuple[str, ...] = ()) -> Path:
    """Write a tab-separated file with a header (DuckDB's writer; fast on large tables).

    Date-time columns are written as ISO dates (every date here is a calendar day).
    ``order_by`` columns give the rows a fixed order (the same file from run to run).
    """
    import duckdb

    if not df.index.equals(pd.RangeIndex(len(df))):  # a copy only when it is needed
        df = df.reset_index(drop=True)
    cols = []
    for col in df.columns:
        name = '"' + str(col).replace('"', '""') + '"'
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            cols.append(f"CAST({name} AS DATE) AS {name}")
        else:
            cols.append(name)
    con = duckdb.connect()
    try:
        con.register("tsv_out", df)
        target = str(path).replace("'", "''")
        order = ""
        if order_by:
            order = " ORDER BY " + ", ".join('"' + c.replace('"', '""') + '"' for c in order_by)
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM tsv_out{order}) TO '{target}' "
                    "(HEADER, DELIMITER '\t')")
    finally:
        con.close()
    return path


def cohort_report(
    frames: Frames,
    out_dir: Path,
    *,
    by: GroupBy = "treatment",
    model: bool = True,
    model_max_patients: int | None = 3_000,
    seed: int = 0,
    matched: pd.DataFrame | None = None,
) -> CohortResult:
    """Compute the cohort outcomes and write TSVs, a readable summary and PNG plots.

    Parameters
    ----------
    frames : Frames
        The cohort's tables (from the store or from patients).
    out_dir : pathlib.Path
        Output directory (created; existing files of the same names are replaced).
    by : {"treatment", "phenotype"}
        Grouping of the responder, trajectory and Kaplan-Meier outputs.
    model : bool, optional
        Fit the mixed models (default True).
    model_max_patients : int or None, optional
        Fit the models on a random sample of this many patients when the cohort is
        larger (seeded; default 3 000, which keeps the cohort command
        within about a minute); None uses everyone.
    seed : int, optional
        Seed of that sample.
    matched : pandas.DataFrame, optional
        ``patient_id, episode, matched_top`` from the ranking, to add responder rates by
        whether the target matched the top-ranked generator.

    Returns
    -------
    CohortResult
    """
    from painmap.report.plots import plot_km, plot_responder_rates, plot_trajectories

    if by not in GROUP_COLUMN:
        from painmap.core.errors import ValidationFailure

        raise ValidationFailure("--by", f"unknown grouping {by!r}", list(GROUP_COLUMN))
    out_dir.mkdir(parents=True, exist_ok=True)
    group = GROUP_COLUMN[by]
    res = CohortResult(out_dir)
    outcomes = outcome_table(frames)
    outcomes[group] = outcomes[group].fillna("unspecified")
    res.n_patients = int(frames.patients["patient_id"].nunique())
    res.n_episodes = len(frames.treatments)
    res.files.append(_write_tsv(
        outcomes, out_dir / "outcomes.tsv", ("patient_id", "episode", "instrument", "month")
    ))
    rates = responder_rates(outcomes, group)
    res.files.append(_write_tsv(rates, out_dir / "responder_rates.tsv"))
    traj = trajectories(outcomes, group)
    res.files.append(_write_tsv(traj, out_dir / "trajectories.tsv"))
    dur = durability_table(outcomes)
    dur[group] = dur[group].fillna("unspecified")
    res.files.append(_write_tsv(dur, out_dir / "durability.tsv"))
    curves = kaplan_meier(dur, by=group)
    res.files.append(_write_tsv(_km_table(curves), out_dir / "kaplan_meier.tsv"))
    med = pd.DataFrame([{"group": c.group, "responders": c.n,
                         "median_days_to_loss": c.median_days} for c in curves])
    res.files.append(_write_tsv(med, out_dir / "durability_medians.tsv"))
    if matched is not None and len(matched):
        m = outcomes.merge(matched[["patient_id", "episode", "matched_top"]],
                           on=["patient_id", "episode"], how="left")
        m["matched_top"] = m["matched_top"].map({True: "matched", False: "not_matched"}
                                                ).fillna("unranked")
        res.files.append(_write_tsv(responder_rates(m, "matched_top"),
                                    out_dir / "responder_rates_by_match.tsv"))
    if model:
        fit_frames, fit_outcomes = frames, outcomes
        ids = frames.patients["patient_id"].unique()
        if model_max_patients is not None and len(ids) > model_max_patients:
            rng = np.random.default_rng(seed)
            keep = set(rng.choice(ids, size=model_max_patients, replace=False))
            fit_outcomes = outcomes[outcomes["patient_id"].isin(keep)]
        for inst in MODELLED:
            try:
                mr = fit_mixed_model(fit_outcomes, fit_frames, inst)
            except (ValueError, np.linalg.LinAlgError) as exc:
                res.model_errors[inst] = str(exc)
                continue
            res.models.append(mr)
            stem = out_dir / f"model_{inst}"
            res.files.append(_write_tsv(mr.coefficients, Path(f"{stem}_coefficients.tsv")))
            res.files.append(_write_tsv(mr.contrasts, Path(f"{stem}_contrasts.tsv")))
    res.files.append(plot_responder_rates(rates, out_dir / "responder_rates.png", by=by))
    res.files.append(plot_trajectories(traj, out_dir / "trajectories.png", by=by))
    res.files.append(plot_km(curves, out_dir / "kaplan_meier.png", by=by))
    res.summary = _summary(res, rates, curves, by, model_max_patients)
    summary_path = out_dir / "summary.txt"
    summary_path.write_text(res.summary + "\n", encoding="utf-8")
    res.files.append(summary_path)
    return res


def _summary(res: CohortResult, rates: pd.DataFrame, curves: list[KMCurve], by: str,
             sample: int | None) -> str:
    lines = [f"painmap cohort outcomes: {res.n_patients} patients, {res.n_episodes} treatment "
             f"episodes (grouped by {by})", "",
             "NRS responders (IMMPACT moderate or better) by month, % (n observed):"]
    nrs = rates[rates["instrument"] == "nrs"]
    for grp, g in nrs.groupby("group"):
        cells = ", ".join(f"{int(r['month'])} m {100 * r['rate']:.0f}% ({int(r['observed'])})"
                          for _, r in g.sort_values("month").iterrows())
        lines.append(f"  {grp:<26} {cells}")
    lines += ["", "Median time to loss of NRS response among responders (Kaplan-Meier):"]
    for c in curves:
        med = "not reached" if math.isinf(c.median_days) else f"{c.median_days:.0f} days"
        lines.append(f"  {c.group:<26} {med} ({c.n} responders)")
    for m in res.models:
        extra = ""
        if sample is not None and res.n_patients > sample:
            extra = f" (random sample of {sample} patients)"
        lines += ["", describe(m) + extra]
    for inst, err in res.model_errors.items():
        lines += ["", f"Mixed model of {inst} not fitted: {err}"]
    return "\n".join(lines)
