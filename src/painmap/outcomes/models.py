"""Cohort linear mixed-effects models of pain and disability after treatment.

For each outcome instrument (NRS, ODI, ...) the model is fitted to the follow-up scores of
each patient's first treatment episode::

    followup ~ C(type, reference) * C(month) + baseline + age + sex
               + C(startback risk) + painDETECT + CSI + (1 | patient)

with statsmodels :class:`~statsmodels.regression.mixed_linear_model.MixedLM` (random
intercept per patient, REML). Besides the raw coefficients it reports, for every
treatment type and month, the **adjusted difference from the reference treatment**
(physiotherapy by default) with its 95 % CI: the estimate of "how much lower is pain at
month m after treatment X than after the reference, other things equal". Rows with a
missing covariate are left out (complete-case analysis) and counted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from painmap.outcomes.frames import Frames
from painmap.outcomes.reml import reml_variance_ratio
from painmap.outcomes.windows import BASELINE_LOOKBACK_DAYS

REFERENCE_TREATMENT = "physiotherapy"

#: Continuous covariates enter centred (value minus this centre, named ``<name>_c``), so
#: the intercept is the mean follow-up of a reference patient: 50 years old, CSI 40,
#: painDETECT 12 and the cohort's mean baseline (set per fit, below).
CENTRES: dict[str, float] = {"age": 50.0, "csi": 40.0, "paindetect": 12.0, "baseline": 0.0}

COEF_COLUMNS = ["outcome", "term", "estimate", "std_error", "ci_lower", "ci_upper", "p_value"]
CONTRAST_COLUMNS = ["outcome", "type", "reference", "month", "estimate", "std_error",
                    "ci_lower", "ci_upper", "p_value", "n_patients"]


def baseline_covariates(frames: Frames) -> pd.DataFrame:
    """Age, sex, STarT Back risk, painDETECT and CSI at each episode's start.

    Scores are the latest on or before the start, within the baseline look-back.
    """
    tr = frames.treatments[["patient_id", "episode", "type", "target", "start"]]
    df = tr.merge(frames.patients, on="patient_id", how="left")
    df["age"] = df["start"].dt.year - df["birth_year"]
    sc = frames.scores
    lookback = pd.Timedelta(days=BASELINE_LOOKBACK_DAYS)
    for inst, col, what in (("startback", "startback_risk", "category"),
                            ("paindetect", "paindetect", "score"),
                            ("csi", "csi", "score")):
        s = sc.loc[sc["instrument"] == inst, ["patient_id", "date", what]]
        m = tr[["patient_id", "episode", "start"]].merge(s, on="patient_id")
        m = m[(m["date"] <= m["start"]) & (m["date"] >= m["start"] - lookback)]
        m = m.sort_values("date").groupby(["patient_id", "episode"]).last()[what]
        df = df.merge(m.rename(col).reset_index(), on=["patient_id", "episode"], how="left")
    return df


@dataclass(frozen=True)
class ModelResult:
    """A fitted cohort model of one outcome instrument.

    Attributes
    ----------
    outcome : str
        Instrument id.
    coefficients : pandas.DataFrame
        Fixed effects, columns ``COEF_COLUMNS``.
    contrasts : pandas.DataFrame
        Adjusted difference of each treatment type from the reference at each month,
        columns ``CONTRAST_COLUMNS`` (negative = lower score = better than reference).
    n_patients, n_observations : int
        Patients and follow-up observations used.
    n_excluded : int
        Follow-up observations left out for a missing covariate.
    formula : str
        The fixed-effects formula.
    converged : bool
        Whether the optimiser converged.
    notes : list of str
        Types dropped for too few patients, and similar.
    """

    outcome: str
    coefficients: pd.DataFrame
    contrasts: pd.DataFrame
    n_patients: int
    n_observations: int
    n_excluded: int
    formula: str
    converged: bool
    notes: list[str] = field(default_factory=list)


def model_data(outcomes: pd.DataFrame, frames: Frames, instrument: str) -> pd.DataFrame:
    """Long table of first-episode follow-ups with the model's covariates."""
    o = outcomes[(outcomes["instrument"] == instrument) & (outcomes["episode"] == 1)
                 & outcomes["followup"].notna() & outcomes["baseline"].notna()]
    # covariates of the modelled patients only (a sampled cohort need not score everyone)
    ids = o["patient_id"].unique()
    sub = Frames(frames.patients[frames.patients["patient_id"].isin(ids)],
                 frames.scores[frames.scores["patient_id"].isin(ids)],
                 frames.treatments[frames.treatments["patient_id"].isin(ids)])
    cov = baseline_covariates(sub)
    cov = cov[cov["episode"] == 1].drop(columns=["type", "target", "start"])
    return o[["patient_id", "episode", "type", "target", "month", "baseline", "followup"]].merge(
        cov, on=["patient_id", "episode"], how="left")


def _group_codes(model: object) -> np.ndarray:
    """Group number of each row of a fitted-to-be ``MixedLM`` (its own row split)."""
    codes = np.empty(len(model.endog), dtype=np.intp)  # type: ignore[attr-defined]
    for k, label in enumerate(model.group_labels):  # type: ignore[attr-defined]
        codes[model.row_indices[label]] = k  # type: ignore[attr-defined]
    return codes


def fit_mixed_model(
    outcomes: pd.DataFrame,
    frames: Frames,
    instrument: str = "nrs",
    *,
    reference: str = REFERENCE_TREATMENT,
    min_patients: int = 10,
) -> ModelResult:
    """Fit the time x treatment mixed model of one outcome instrument.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Output of :func:`painmap.outcomes.timeline.outcome_table`.
    frames : Frames
        The input tables (for age, sex and the baseline questionnaires).
    instrument : str, optional
        Outcome instrument (default ``"nrs"``).
    reference : str, optional
        Reference treatment type (default physiotherapy).
    min_patients : int, optional
        Treatment types with fewer patients are left out (noted in ``notes``).

    Returns
    -------
    ModelResult

    Raises
    ------
    ValueError
        When too little data remains to fit the model.
    """
    import statsmodels.formula.api as smf

    data = model_data(outcomes, frames, instrument)
    needed = ["baseline", "age", "sex", "startback_risk", "paindetect", "csi"]
    complete = data.dropna(subset=needed)
    n_excluded = len(data) - len(complete)
    notes: list[str] = []
    counts = complete.groupby("type")["patient_id"].nunique()
    keep = counts[counts >= min_patients].index
    for t in counts.index.difference(keep):
        notes.append(f"{t}: {counts[t]} patients (< {min_patients}), left out of the model")
    complete = complete[complete["type"].isin(keep)].copy()
    if reference not in set(keep):
        raise ValueError(f"reference treatment {reference!r} has fewer than {min_patients} "
                         "patients with complete data; cannot fit the model")
    if complete["patient_id"].nunique() < 20:
        raise ValueError("fewer than 20 patients with complete data; cannot fit the model")
    complete["sex"] = complete["sex"].astype(str)
    complete["month"] = complete["month"].astype(int)
    # centred covariates keep the design well conditioned; see CENTRES
    centres = {**CENTRES, "baseline": float(complete["baseline"].mean())}
    for col, centre in centres.items():
        complete[f"{col}_c"] = complete[col].astype(float) - centre
    levels = sorted(complete["startback_risk"].unique())
    sb_ref = "low" if "low" in levels else levels[0]
    formula = (f"followup ~ C(type, Treatment('{reference}')) * C(month) + baseline_c + age_c"
               f" + C(sex) + C(startback_risk, Treatment('{sb_ref}')) + paindetect_c + csi_c")
    model = smf.mixedlm(formula, complete, groups=complete["patient_id"])
    # start at the REML optimum of the variance ratio (closed-form profile, see
    # painmap.outcomes.reml); statsmodels' default start is a ratio of 1
    try:
        start: np.ndarray | None = np.array([np.sqrt(reml_variance_ratio(
            model.exog, model.endog, _group_codes(model)))])
    except (np.linalg.LinAlgError, ValueError):
        start = None
    res = None
    failures = []
    for method in ("bfgs", "lbfgs", "powell"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = model.fit(start_params=start, reml=True, method=[method])
        except (np.linalg.LinAlgError, ValueError) as exc:
            failures.append(f"{method}: {exc}")
            continue
        if res.converged:
            break
    if res is None:
        raise ValueError("the mixed model could not be fitted (" + "; ".join(failures) + ")")
    if failures:
        notes.append("optimiser fallbacks: " + "; ".join(failures))
    fe = res.fe_params
    cov = res.cov_params().loc[fe.index, fe.index]
    se = np.sqrt(np.diag(cov.to_numpy()))
    z = fe.to_numpy() / se
    from scipy.stats import norm

    coefs = pd.DataFrame({
        "outcome": instrument, "term": fe.index, "estimate": fe.to_numpy(), "std_error": se,
        "ci_lower": fe.to_numpy() - 1.959964 * se, "ci_upper": fe.to_numpy() + 1.959964 * se,
        "p_value": 2 * norm.sf(np.abs(z)),
    })
    months = sorted(complete["month"].unique())
    names = list(fe.index)
    rows = []
    tprefix = f"C(type, Treatment('{reference}'))[T."
    for t in sorted(set(keep) - {reference}):
        for mo in months:
            weights = np.zeros(len(names))
            weights[names.index(f"{tprefix}{t}]")] = 1.0
            if mo != months[0]:
                inter = f"{tprefix}{t}]:C(month)[T.{mo}]"
                if inter in names:
                    weights[names.index(inter)] = 1.0
            est = float(weights @ fe.to_numpy())
            s = float(np.sqrt(weights @ cov.to_numpy() @ weights))
            rows.append({
                "outcome": instrument, "type": t, "reference": reference, "month": mo,
                "estimate": est, "std_error": s, "ci_lower": est - 1.959964 * s,
                "ci_upper": est + 1.959964 * s, "p_value": float(2 * norm.sf(abs(est / s))),
                "n_patients": int(counts.get(t, 0)),
            })
    contrasts = pd.DataFrame(rows, columns=CONTRAST_COLUMNS)
    return ModelResult(instrument, coefs, contrasts, int(complete["patient_id"].nunique()),
                       len(complete), n_excluded, formula, bool(res.converged), notes)


def describe(result: ModelResult) -> str:
    """Readable summary of a fitted model (the adjusted treatment differences).

    Parameters
    ----------
    result : ModelResult
        A fitted model.

    Returns
    -------
    str
        Plain text, one line per treatment type and month.
    """
    lines = [
        f"Linear mixed model of {result.outcome} (random intercept per patient, REML)",
        f"  {result.formula}",
        f"  {result.n_patients} patients, {result.n_observations} follow-up scores"
        f" ({result.n_excluded} left out for a missing covariate);"
        f" converged: {'yes' if result.converged else 'NO'}",
        f"Adjusted difference from {result.contrasts['reference'].iloc[0]} "
        "(negative = lower score = better), 95% CI:" if len(result.contrasts) else "",
    ]
    for _, r in result.contrasts.iterrows():
        lines.append(f"  {r['type']:<26} month {int(r['month']):>2}: {r['estimate']:+.2f}"
                     f" ({r['ci_lower']:+.2f} to {r['ci_upper']:+.2f}), p = {r['p_value']:.3g}")
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(line for line in lines if line)
