"""Meaningful change between two scores of the same instrument.

Every instrument here scores worse-is-higher, so improvement is ``baseline - followup``.
Percent change is relative to the baseline and is undefined (``None``) at baseline 0;
rules stated in percent are then reported as not applicable (``met = None``) and the
decision rests on the rules stated in points. Thresholds and their sources live in the
instrument's data file (``change.rules``).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from painmap.core.errors import ValidationFailure
from painmap.instruments.definitions import InstrumentDefinition, get_definition

#: Comparisons are made on values rounded to this many decimals, so that, e.g., a change
#: from 3 to 2.1 counts as exactly 30 % despite binary floating point.
_DECIMALS = 9


class RuleOutcome(BaseModel):
    """One change rule applied to a pair of scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    level: str
    kind: str
    threshold: float
    met: bool | None
    rule: str
    citations: list[str]


class ChangeResult(BaseModel):
    """Absolute and percent change, and whether it is meaningful (``painmap change``).

    Attributes
    ----------
    absolute_change : float
        ``followup - baseline`` (negative = lower score = better on these scales).
    percent_change : float or None
        ``(followup - baseline) / baseline * 100``; ``None`` when the baseline is 0.
    improvement : float
        ``baseline - followup`` (positive = better).
    improvement_percent : float or None
        ``improvement / baseline * 100``; ``None`` when the baseline is 0.
    meaningful : bool or None
        Whether the improvement reaches a rule of a meaningful level; ``None`` when the
        instrument has no change rule.
    level : str or None
        Highest level reached (``substantial``, ``moderate``, ``minimal``, ``mic``).
    rules : list of RuleOutcome
        Each rule, whether it was met, its text and its citations.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str
    baseline: float
    followup: float
    absolute_change: float
    percent_change: float | None
    improvement: float
    improvement_percent: float | None
    direction: str
    meaningful: bool | None
    level: str | None
    rules: list[RuleOutcome]
    beyond_mdc: bool | None = None
    mdc: str | None = None
    note: str | None = None


def _check_value(defn: InstrumentDefinition, name: str, value: float) -> float:
    lo, hi = defn.scoring.min, defn.scoring.max
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise ValidationFailure(
            name, f"{value!r} is not a {defn.short_name} score", allowed=[f"{lo:g}..{hi:g}"]
        )
    return float(value)


def change(instrument_id: str, baseline: float, followup: float) -> ChangeResult:
    """Compare two scores of one instrument against its meaningful-change rules.

    Parameters
    ----------
    instrument_id : str
        Instrument id, e.g. ``"nrs"``, ``"odi"``, ``"rmdq"``.
    baseline, followup : float
        Scores on the instrument's scale (ODI in percent, PROMIS as T-score).

    Returns
    -------
    ChangeResult

    Raises
    ------
    ValidationFailure
        For an unknown instrument or a score outside the instrument's range.
    """
    defn = get_definition(instrument_id)
    b = _check_value(defn, "baseline", baseline)
    f = _check_value(defn, "followup", followup)
    sign = 1.0 if defn.higher_is_worse else -1.0
    improvement = sign * (b - f)
    absolute = f - b
    percent = None if b == 0 else absolute / b * 100.0
    improvement_pct = None if b == 0 else improvement / abs(b) * 100.0
    outcomes: list[RuleOutcome] = []
    for rule in defn.change.rules:
        met: bool | None
        if rule.kind == "points":
            met = round(improvement, _DECIMALS) >= rule.threshold
        elif improvement_pct is None:
            met = None
        else:
            met = round(improvement_pct, _DECIMALS) >= rule.threshold
        outcomes.append(
            RuleOutcome(
                id=rule.id,
                level=rule.level,
                kind=rule.kind,
                threshold=rule.threshold,
                met=met,
                rule=rule.text,
                citations=[defn.citations[c].text for c in rule.cite],
            )
        )
    level = next((o.level for o in outcomes if o.met), None)
    meaningful: bool | None
    if not outcomes:
        meaningful = None
    else:
        meaningful = any(o.met and o.level in defn.change.meaningful_levels for o in outcomes)
    notes = []
    if b == 0:
        notes.append(
            "percent change is undefined at baseline 0; percent rules are not applicable "
            "and the decision rests on the point rules"
        )
    if not outcomes:
        notes.append(defn.change.note or "no change rule for this instrument")
    mdc = defn.change.mdc
    return ChangeResult(
        instrument=defn.id,
        baseline=b,
        followup=f,
        absolute_change=absolute,
        percent_change=percent,
        improvement=improvement,
        improvement_percent=improvement_pct,
        direction="improved" if improvement > 0 else "worsened" if improvement < 0 else "unchanged",
        meaningful=meaningful,
        level=level,
        rules=outcomes,
        beyond_mdc=None if mdc is None else round(abs(absolute), _DECIMALS) >= mdc.points,
        mdc=None if mdc is None else mdc.text,
        note="; ".join(notes) or None,
    )
