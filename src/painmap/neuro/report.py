"""HTML report of the group level, with matplotlib figures embedded as PNG.

The report states that its results are group-level research findings and that
self-report remains the primary measure of pain (IASP, Davis et al. 2017).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np

from painmap.neuro._deps import require
from painmap.neuro.guard import STATEMENT, forbidden_phrases_in
from painmap.neuro.rois import ROI_IDS
from painmap.neuro.simulate import SYNTHETIC_NOTE

STRUCTURAL = ("gm_volume_mm3", "thickness_mm")


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    require("matplotlib.pyplot").close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _bar(table: Any, value: str, title: str, ylabel: str, measures: tuple[str, ...]) -> str:
    plt = require("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / max(len(measures), 1)
    x = np.arange(len(ROI_IDS))
    for k, m in enumerate(measures):
        t = table[table["measure"] == m].set_index("roi").reindex(list(ROI_IDS))
        vals = t[value].astype(float).to_numpy()
        sig = t["significant_fdr"].eq(True).to_numpy()
        bars = ax.bar(x + k * width, np.nan_to_num(vals), width, label=m)
        for b, s in zip(bars, sig, strict=True):
            if s:
                ax.annotate(
                    "*",
                    (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center",
                    va="bottom" if b.get_height() >= 0 else "top",
                )
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x + width * (len(measures) - 1) / 2, list(ROI_IDS), rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title + "  (* FDR q < 0.05)")
    ax.legend(fontsize=8)
    return _png(fig)


def _scatter(data: dict[str, Any]) -> str | None:
    plt = require("matplotlib.pyplot")
    m = data["measures"]
    parts = data["participants"]
    pain = data["pain"]
    ids = parts.loc[parts["group"] == "patient", "participant_id"]
    sel = m[
        (m["roi"] == "dlpfc_left")
        & (m["measure"] == "gm_volume_mm3")
        & m["participant_id"].isin(ids)
    ]
    if sel.empty or pain.empty:
        return None
    piv = sel.pivot_table(index="participant_id", columns="session", values="value")
    ppiv = pain.pivot_table(index="participant_id", columns="session", values="pain_nrs")
    if piv.shape[1] < 2 or ppiv.shape[1] < 2:
        return None
    s0, s1 = sorted(piv.columns)[0], sorted(piv.columns)[-1]
    dm = (piv[s1] - piv[s0]).rename("dm")
    dp = (ppiv[s1] - ppiv[s0]).rename("dp")
    both = dm.to_frame().join(dp, how="inner").dropna()
    if both.empty:
        return None
    fig, ax = plt.subplots(figsize=(4.5, 3.6))
    ax.scatter(both["dp"], both["dm"], s=14, alpha=0.7)
    ax.set_xlabel(f"change in self-reported pain NRS (ses-{s1} − ses-{s0})")
    ax.set_ylabel("change in dlpfc_left GM volume (mm³)")
    ax.set_title("Patients: brain change vs pain change")
    return _png(fig)


def _fc_box(data: dict[str, Any]) -> str | None:
    plt = require("matplotlib.pyplot")
    m = data["measures"]
    sel = m[(m["roi"] == "mpfc") & (m["measure"].isin(["fc_z_nacc_left", "fc_z_nacc_right"]))]
    if sel.empty:
        return None
    first = sel.groupby("participant_id")["session"].transform("min")
    sel = sel[sel["session"] == first].merge(data["participants"], on="participant_id")
    avg = sel.groupby(["participant_id", "group"])["value"].mean().reset_index()
    groups = [g for g in ("control", "patient") if (avg["group"] == g).any()]
    fig, ax = plt.subplots(figsize=(4.0, 3.4))
    ax.boxplot([avg.loc[avg["group"] == g, "value"] for g in groups])
    ax.set_xticks(range(1, len(groups) + 1), groups)
    ax.set_ylabel("NAc–mPFC connectivity (Fisher z)")
    ax.set_title("Baseline NAc–mPFC connectivity by group")
    return _png(fig)


def _table_html(df: Any, cols: list[str], limit: int = 25) -> str:
    if df.empty:
        return "<p>No rows.</p>"
    d = df[[c for c in cols if c in df.columns]].head(limit)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in d.columns)
    body = []
    for _, r in d.iterrows():
        cells = []
        for c in d.columns:
            v = r[c]
            text = ("n/a" if np.isnan(v) else f"{v:.4g}") if isinstance(v, float) else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render_report(tables: dict[str, Any], data: dict[str, Any], synthetic: bool) -> str:
    """Render the group report as one self-contained HTML page.

    Parameters
    ----------
    tables : dict of DataFrame
        ``comparison``, ``longitudinal``, ``pain``, ``task`` (outputs of painmap.neuro.group).
    data : dict of DataFrame
        Inputs (``measures``, ``participants``, ``pain``).
    synthetic : bool
        Whether the dataset is a synthetic cohort (adds a banner).

    Returns
    -------
    str
    """
    parts = data["participants"]
    n_p = int((parts["group"] == "patient").sum())
    n_c = int((parts["group"] == "control").sum())
    figs: list[tuple[str, str | None]] = [
        (
            "Patients vs controls at baseline (adjusted for age, sex, eTIV): Cohen's d",
            _bar(tables["comparison"], "cohens_d", "Patients − controls", "Cohen's d", STRUCTURAL),
        ),
        (
            "Change from baseline in patients",
            _bar(
                tables["longitudinal"],
                "percent_change",
                "Patients: change from baseline",
                "% change",
                STRUCTURAL,
            ),
        ),
        (
            "Painful stimulus > baseline (all participants, baseline session)",
            _bar(
                tables["task"][tables["task"]["group"] == "all"],
                "mean",
                "Task response",
                "% signal change",
                ("task_effect_pct",),
            ),
        ),
        ("Change in DLPFC grey matter and change in self-reported pain", _scatter(data)),
        ("Nucleus accumbens – mPFC resting-state connectivity", _fc_box(data)),
    ]
    sig = {k: t[t["significant_fdr"].eq(True)] for k, t in tables.items()}
    banner = (
        f'<div class="synthetic"><b>Synthetic data.</b> {html.escape(SYNTHETIC_NOTE)}</div>'
        if synthetic
        else ""
    )
    fig_html = "".join(
        f'<h3>{html.escape(title)}</h3><img alt="{html.escape(title)}" '
        f'src="data:image/png;base64,{png}">'
        for title, png in figs
        if png
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>painmap neuro: group-level report</title>
<style>
body {{ font-family: sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }}
.statement {{ border-left: 5px solid #1f6feb; background: #eef4ff; padding: .8em 1em; }}
.synthetic {{ border-left: 5px solid #d29922; background: #fff8e5; padding: .8em 1em; }}
table {{ border-collapse: collapse; font-size: 12px; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>Pain ROIs: group-level research report</h1>
<div class="statement" id="iasp-statement"><b>Research use only.</b> {html.escape(STATEMENT)}</div>
{banner}
<p>Cohort: {n_p} patients, {n_c} controls. Models: OLS with age, sex and eTIV covariates
(patients vs controls, baseline session); one-sample tests of change from baseline in
patients; Pearson correlation of change in each measure with change in self-reported pain
(NRS) and disability (ODI). Benjamini-Hochberg FDR within each table.</p>
<h2>Figures</h2>
{fig_html}
<h2>Results surviving FDR (q &lt; 0.05)</h2>
<h3>Patients vs controls</h3>
{
        _table_html(
            sig["comparison"],
            [
                "roi",
                "measure",
                "n_patients",
                "n_controls",
                "percent_difference",
                "cohens_d",
                "p",
                "q",
            ],
        )
    }
<h3>Longitudinal change in patients</h3>
{
        _table_html(
            sig["longitudinal"],
            ["roi", "measure", "session", "n", "percent_change", "cohens_dz", "p", "q"],
        )
    }
<h3>Change in measure vs change in self-reported pain</h3>
{_table_html(sig["pain"], ["roi", "measure", "outcome", "session", "n", "r", "p", "q"])}
<h3>Task response</h3>
{_table_html(sig["task"], ["roi", "group", "n", "mean", "cohens_d", "p", "q"])}
<p>Full tables: roi_group_comparison.tsv, roi_longitudinal.tsv, roi_pain_correlation.tsv,
roi_task_activation.tsv.</p>
</body></html>
"""
    bad = forbidden_phrases_in(page)
    if bad:
        raise ValueError(f"report text contains forbidden phrases {bad}")
    return page


def write_report(path: Path, tables: dict[str, Any], data: dict[str, Any], synthetic: bool) -> None:
    """Write :func:`render_report` to ``path``."""
    require("matplotlib").use("Agg")
    Path(path).write_text(render_report(tables, data, synthetic), encoding="utf-8")
