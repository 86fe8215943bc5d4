"""Responder classes for whole columns of scores, by the instruments' change rules.

:func:`responder_levels` applies exactly the rules of
:func:`painmap.instruments.change` (thresholds and their order come from the
instrument's data file) to numpy arrays, so a 100 000-patient cohort is classified
without a Python loop per score. The tests check it equals ``change()`` value by value.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from painmap.instruments import change, get_definition

_DECIMALS = 9

FloatArray = npt.NDArray[np.float64]


def responder_levels(
    instrument: str, baseline: npt.ArrayLike, followup: npt.ArrayLike
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Highest change level reached and whether it is meaningful, element-wise.

    Parameters
    ----------
    instrument : str
        Instrument id (``nrs``, ``odi``, ``rmdq``, ``promis_pi_4a``).
    baseline, followup : array_like of float
        Scores; NaN where missing.

    Returns
    -------
    level : ndarray of object
        ``"substantial"``, ``"moderate"``, ``"minimal"``, ``"mic"`` or None (no rule
        met, or a score missing).
    meaningful : ndarray of object
        True/False, or None when a score is missing or the instrument has no rule.
    """
    defn = get_definition(instrument)
    b = np.asarray(baseline, dtype=float)
    f = np.asarray(followup, dtype=float)
    sign = 1.0 if defn.higher_is_worse else -1.0
    improvement = np.round(sign * (b - f), _DECIMALS)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(b == 0, np.nan, np.round(sign * (b - f) / np.abs(b) * 100.0, _DECIMALS))
    present = ~(np.isnan(b) | np.isnan(f))
    level = np.full(b.shape, None, dtype=object)
    undecided = present.copy()
    meaningful_levels = set(defn.change.meaningful_levels)
    any_meaningful = np.zeros(b.shape, dtype=bool)
    for rule in defn.change.rules:
        value = improvement if rule.kind == "points" else pct
        with np.errstate(invalid="ignore"):
            met = present & ~np.isnan(value) & (value >= rule.threshold)
        level[undecided & met] = rule.level
        undecided &= ~met
        if rule.level in meaningful_levels:
            any_meaningful |= met
    meaningful = np.full(b.shape, None, dtype=object)
    if defn.change.rules:
        meaningful[present] = any_meaningful[present]
    return level, meaningful


def responder_level(instrument: str, baseline: float, followup: float) -> tuple[str | None,
                                                                                bool | None]:
    """Responder level and meaningfulness of one pair (delegates to ``change()``)."""
    result = change(instrument, baseline, followup)
    return result.level, result.meaningful
