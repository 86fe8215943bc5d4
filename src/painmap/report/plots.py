"""PNG plots of cohort outcomes (matplotlib, off-screen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from painmap.outcomes.durability import KMCurve

INSTRUMENT_LABEL = {"nrs": "Pain NRS (0-10)", "odi": "ODI (%)", "rmdq": "RMDQ (0-24)",
                    "promis_pi_4a": "PROMIS PI 4a (T)"}


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _colours(n: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def plot_responder_rates(rates: pd.DataFrame, path: Path, *, by: str) -> Path:
    """Grouped bars: share of NRS and ODI responders per group at each month."""
    fig = _figure(11, 4.6)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, inst in zip(axes, ("nrs", "odi"), strict=True):
        r = rates[rates["instrument"] == inst]
        groups = sorted(r["group"].unique())
        months = sorted(r["month"].unique())
        width = 0.8 / max(len(groups), 1)
        for i, (grp, col) in enumerate(zip(groups, _colours(len(groups)), strict=True)):
            g = r[r["group"] == grp].set_index("month").reindex(months)
            x = np.arange(len(months)) + (i - (len(groups) - 1) / 2) * width
            rate = g["rate"].to_numpy(float)
            err = np.vstack([rate - g["ci_lower"].to_numpy(float),
                             g["ci_upper"].to_numpy(float) - rate])
            ax.bar(x, 100 * rate, width, yerr=100 * err, color=col, label=str(grp),
                   error_kw={"elinewidth": 0.8, "capsize": 1.5})
        ax.set_xticks(np.arange(len(months)), [f"{m} m" for m in months])
        rule = "IMMPACT >= 30% or >= 2 points" if inst == "nrs" else ">= 10 points or >= 30%"
        ax.set_title(f"{INSTRUMENT_LABEL[inst]}: responders ({rule})", fontsize=9)
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("responders, % (95% CI)")
    axes[1].legend(fontsize=7, title=by, title_fontsize=8, loc="upper right", ncols=2)
    fig.savefig(path)
    return path


def plot_trajectories(traj: pd.DataFrame, path: Path, *, by: str) -> Path:
    """Mean NRS and ODI from baseline (month 0) to 12 months, per group, with 95% CIs."""
    fig = _figure(11, 4.6)
    axes = fig.subplots(1, 2)
    for ax, inst in zip(axes, ("nrs", "odi"), strict=True):
        t = traj[traj["instrument"] == inst]
        groups = sorted(t["group"].unique())
        for grp, col in zip(groups, _colours(len(groups)), strict=True):
            g = t[t["group"] == grp].sort_values("month")
            ax.plot(g["month"], g["mean"], marker="o", ms=3, color=col, label=str(grp))
            ax.fill_between(g["month"], g["ci_lower"], g["ci_upper"], color=col, alpha=0.12)
        ax.set_xticks([0, 1, 3, 6, 12])
        ax.set_xlabel("months after the treatment start (0 = baseline)")
        ax.set_ylabel(f"mean {INSTRUMENT_LABEL[inst]}")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7, title=by, title_fontsize=8, ncols=2)
    fig.suptitle("Trajectories after treatment (mean, 95% CI)", fontsize=10)
    fig.savefig(path)
    return path


def plot_km(curves: list[KMCurve], path: Path, *, by: str) -> Path:
    """Kaplan-Meier curves of time to loss of NRS response, with censoring ticks."""
    fig = _figure(7.5, 4.8)
    ax = fig.subplots()
    for c, col in zip(curves, _colours(len(curves)), strict=True):
        t = c.table
        days = np.concatenate([[0.0], t["days"].to_numpy(float)])
        surv = np.concatenate([[1.0], t["survival"].to_numpy(float)])
        ax.step(days / 30.4375, surv, where="post", color=col, label=f"{c.group} (n={c.n})")
        cens = t[t["censored"] > 0]
        ax.plot(cens["days"] / 30.4375, cens["survival"], "|", color=col, ms=6)
    ax.set_xlabel("months after the treatment start")
    ax.set_ylabel("share still responding")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    ax.set_title("Durability of NRS response (Kaplan-Meier; | = censored)", fontsize=10)
    ax.legend(fontsize=7, title=by, title_fontsize=8)
    fig.savefig(path)
    return path
