"""Scoring one response exactly as the published rules say.

This is the reference implementation: plain Python, one response at a time. The
vectorised cohort scorer (:mod:`painmap.instruments.batch`) is tested against it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from painmap.core.errors import ValidationFailure
from painmap.instruments.definitions import (
    InstrumentDefinition,
    Rule,
    get_definition,
)
from painmap.instruments.validation import Normalized, normalize_answers


class ScoreResult(BaseModel):
    """The score of one response (what ``painmap score`` prints as JSON).

    Attributes
    ----------
    instrument : str
        Instrument id.
    score : float or None
        Total score (ODI percent, PROMIS T-score, ACR fibromyalgia severity); ``None`` when
        the missing-data policy does not allow scoring.
    max : float
        Highest possible score (``min`` is the lowest).
    subscales : dict
        Subscale scores (``None`` when not scored).
    category : str or None
        Interpretation band / risk group / criteria result.
    complete : bool
        Whether every item was answered.
    answered : int
        Number of answered items (``items`` is the number of items).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str
    score: float | None
    max: float
    subscales: dict[str, float | None]
    category: str | None
    complete: bool
    answered: int
    min: float
    items: int
    version: str
    max_missing: int
    missing_policy: str
    raw: float | None = None
    flags: dict[str, bool] = {}
    t_score: float | None = None
    standard_error: float | None = None
    criteria_met: bool | None = None
    criteria: dict[str, bool | None] | None = None
    note: str | None = None


def resolve_max_missing(defn: InstrumentDefinition, max_missing: int | None) -> int:
    """The missing-item limit to use: the caller's, or the instrument's default.

    Raises
    ------
    ValidationFailure
        If the limit is negative, or positive for an instrument that is never scored
        with missing items.
    """
    if max_missing is None:
        return defn.missing.default_max_missing
    if isinstance(max_missing, bool) or not isinstance(max_missing, int) or max_missing < 0:
        raise ValidationFailure(
            "max_missing", f"{max_missing!r} is not a count", allowed=[f"0..{len(defn.items)}"]
        )
    if defn.missing.method == "none" and max_missing > 0:
        raise ValidationFailure(
            "max_missing",
            f"{defn.id} is not scored with missing items ({defn.missing.note})",
            allowed=["0"],
        )
    return max_missing


def first_match(rules: list[Rule], values: dict[str, float]) -> str | None:
    """Code of the first rule whose conditions all hold."""
    for rule in rules:
        if rule.holds(values):
            return rule.code
    return None


def _points(defn: InstrumentDefinition, norm: Normalized) -> list[float | None]:
    return [
        None if v is None else defn.scale_of(item).points_of(v)
        for item, v in zip(defn.items, norm.values, strict=True)
    ]


def _sum_of(points: list[float | None], idx: list[int]) -> tuple[float, int]:
    vals = [p for i in idx if (p := points[i]) is not None]
    return float(sum(vals)), len(vals)


def _acr_parts(
    defn: InstrumentDefinition, points: list[float | None], months: float | None
) -> tuple[dict[str, float], dict[str, bool | None]]:
    assert defn.wpi_sites is not None and defn.criteria is not None
    wpi_sites = defn.wpi_sites
    painful = {s.id for s, p in zip(wpi_sites, points, strict=False) if p}
    regions = {s.region for s in wpi_sites if s.id in painful and s.counts_for_generalized_pain}
    values: dict[str, float] = {
        "wpi": float(len(painful)),
        "sss": float(sum(p for p in points[len(wpi_sites) :] if p is not None)),
        "generalized_regions": float(len(regions)),
    }
    crit = defn.criteria
    parts: dict[str, bool | None] = {
        "severity": any(r.holds(values) for r in crit.severity),
        "generalized_pain": all(c.holds(values[c.of]) for c in crit.generalized_pain.conditions),
        "duration": None
        if months is None
        else all(c.holds(months) for c in crit.duration.conditions),
    }
    return values, parts


def score_normalized(
    defn: InstrumentDefinition, norm: Normalized, max_missing: int | None = None
) -> ScoreResult:
    """Score already-validated answers (see :func:`score`)."""
    limit = resolve_max_missing(defn, max_missing)
    points = _points(defn, norm)
    n = len(points)
    answered = sum(p is not None for p in points)
    missing = n - answered
    complete = missing == 0 and (
        defn.answer_format != "acr2016" or norm.duration_months is not None
    )
    base: dict[str, Any] = {
        "instrument": defn.id,
        "version": defn.version,
        "min": defn.scoring.min,
        "max": defn.scoring.max,
        "items": n,
        "answered": answered,
        "complete": complete,
        "max_missing": limit,
        "missing_policy": defn.missing.method,
    }
    if missing > limit or answered == 0:
        return ScoreResult(
            **base,
            score=None,
            subscales={s.id: None for s in defn.subscales},
            category=None,
            note=f"not scored: {missing} of {n} items missing (max_missing={limit})",
        )
    index = {item.id: k for k, item in enumerate(defn.items)}
    raw, _ = _sum_of(points, list(range(n)))
    subscales: dict[str, float | None] = {}
    for sub in defn.subscales:
        s, k = _sum_of(points, [index[i] for i in sub.items])
        if k == 0:
            subscales[sub.id] = None
        elif defn.missing.method == "prorate" and k < len(sub.items):
            subscales[sub.id] = s * len(sub.items) / k
        else:
            subscales[sub.id] = s
    extra: dict[str, Any] = {"raw": raw}
    method = defn.scoring.method
    if method == "odi":
        per = defn.scoring.points_per_section or 5
        total: float = raw * 100.0 / (per * answered)
    elif method == "table":
        assert defn.table is not None
        row = next(r for r in defn.table.rows if r.raw == int(raw))
        total = row.t
        extra.update(t_score=row.t, standard_error=row.se)
    elif method == "acr2016":
        values, parts = _acr_parts(defn, points, norm.duration_months)
        subscales["wpi"] = values["wpi"]
        subscales["sss"] = values["sss"]
        subscales["generalized_regions"] = values["generalized_regions"]
        total = values["wpi"] + values["sss"]
        met: bool | None
        if any(p is False for p in parts.values()):
            met = False
        elif any(p is None for p in parts.values()):
            met = None
        else:
            met = True
        extra.update(criteria=parts, criteria_met=met)
    elif defn.missing.method == "prorate" and missing > 0:
        total = raw * n / answered
    else:
        total = raw
    values_for_rules: dict[str, float] = {"score": total}
    values_for_rules.update({k: v for k, v in subscales.items() if v is not None})
    category: str | None
    if method == "acr2016" and extra["criteria_met"] is None:
        category = None
    else:
        if method == "acr2016":
            values_for_rules["criteria_met"] = 1.0 if extra["criteria_met"] else 0.0
        category = first_match(defn.categories, values_for_rules)
    flags = {f.code: f.holds(values_for_rules) for f in defn.flags}
    return ScoreResult(
        **base,
        score=total,
        subscales=subscales,
        category=category,
        flags=flags,
        **extra,
    )


def score(
    instrument_id: str, answers: list[Any] | dict[str, Any], *, max_missing: int | None = None
) -> ScoreResult:
    """Score one response.

    Parameters
    ----------
    instrument_id : str
        Instrument id (see :data:`~painmap.instruments.definitions.INSTRUMENT_IDS`).
    answers : list or dict
        Answers in published item order, ``None`` for missing (or the object form of
        painDETECT / ACR 2016, or a mapping of item id to answer).
    max_missing : int, optional
        Most missing items still scored; defaults to the instrument's policy (ODI: 1;
        instruments without a published rule: 0).

    Returns
    -------
    ScoreResult
        ``score`` is ``None`` when more items are missing than allowed.

    Raises
    ------
    ValidationFailure
        For an unknown instrument, an invalid answer or an invalid ``max_missing``.
    """
    defn = get_definition(instrument_id)
    return score_normalized(defn, normalize_answers(defn, answers), max_missing)
