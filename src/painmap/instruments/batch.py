"""Vectorised scoring of many responses at once (numpy), for cohorts.

Answers come as a float array of shape ``(n, columns)`` with ``NaN`` for a missing answer.
Columns are :func:`batch_columns`: the items in published order. Numeric answers are
their value; answers that are words or booleans (painDETECT course and radiation) are
the index of the value in the item's scale (``False`` = 0, ``True`` = 1). ACR 2016 has
one 0/1 column per WPI site, then the six SSS answers, then ``duration_months``.
The results equal :func:`painmap.instruments.score` row by row (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from painmap.core.errors import ValidationFailure
from painmap.instruments.definitions import (
    InstrumentDefinition,
    ResponseScale,
    Rule,
    get_definition,
)
from painmap.instruments.scoring import resolve_max_missing
from painmap.instruments.validation import allowed_text, normalize_answers

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BatchScores:
    """Scores of many responses; row ``i`` matches ``score()`` of response ``i``.

    Attributes
    ----------
    instrument : str
        Instrument id.
    score : numpy.ndarray
        Total per response, ``NaN`` when not scored (too many missing answers).
    answered : numpy.ndarray
        Answered items per response.
    complete : numpy.ndarray
        Whether every item was answered.
    category : numpy.ndarray
        Index into ``category_codes``; ``-1`` when there is no category.
    category_codes : tuple of str
        Category codes in rule order.
    subscales : dict of str to numpy.ndarray
        Subscale scores (``NaN`` when not scored).
    flags : dict of str to numpy.ndarray
        Boolean flags (``False`` when not scored).
    raw : numpy.ndarray
        Raw sum of item points (``NaN`` when not scored).
    criteria_met : numpy.ndarray or None
        ACR 2016 only: 1 met, 0 not met, -1 unknown (duration missing or not scored).
    """

    instrument: str
    score: FloatArray
    answered: IntArray
    complete: BoolArray
    category: npt.NDArray[np.int8]
    category_codes: tuple[str, ...]
    raw: FloatArray
    subscales: dict[str, FloatArray] = field(default_factory=dict)
    flags: dict[str, BoolArray] = field(default_factory=dict)
    criteria_met: npt.NDArray[np.int8] | None = None

    def __len__(self) -> int:
        return int(self.score.shape[0])

    def category_labels(self) -> list[str | None]:
        """Category codes as strings (``None`` where there is no category)."""
        return [self.category_codes[c] if c >= 0 else None for c in self.category.tolist()]


def batch_columns(instrument_id: str) -> list[str]:
    """Column names of the batch answer array for an instrument.

    Parameters
    ----------
    instrument_id : str
        Instrument id.

    Returns
    -------
    list of str
        Item ids in published order (plus ``duration_months`` for ``acr2016``).
    """
    defn = get_definition(instrument_id)
    cols = defn.item_ids
    if defn.answer_format == "acr2016":
        cols = [*cols, "duration_months"]
    return cols


def _code_range(scale: ResponseScale) -> tuple[int, int]:
    if all(isinstance(v, int) and not isinstance(v, bool) for v in scale.values):
        ints = [int(v) for v in scale.values]
        return ints[0], ints[-1]
    return 0, len(scale.values) - 1


def _encode(scale: ResponseScale, value: Any) -> float:
    if value is None:
        return float("nan")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in scale.values):
        return float(value)
    return float(scale.values.index(value))


def answers_to_row(instrument_id: str, answers: list[Any] | dict[str, Any]) -> list[float]:
    """Validate one response and encode it as a row of the batch array.

    Parameters
    ----------
    instrument_id : str
        Instrument id.
    answers : list or dict
        One response, as accepted by :func:`~painmap.instruments.score`.

    Returns
    -------
    list of float
        One value per :func:`batch_columns` column (``NaN`` = missing).
    """
    defn = get_definition(instrument_id)
    norm = normalize_answers(defn, answers)
    row = [_encode(defn.scale_of(i), v) for i, v in zip(defn.items, norm.values, strict=True)]
    if defn.answer_format == "acr2016":
        row.append(float("nan") if norm.duration_months is None else norm.duration_months)
    return row


@dataclass(frozen=True)
class _Plan:
    lo: FloatArray
    hi: FloatArray
    mapped: list[tuple[int, int, FloatArray]]  # column, lowest code, points per code


def _plan(defn: InstrumentDefinition) -> _Plan:
    lo, hi, mapped = [], [], []
    for j, item in enumerate(defn.items):
        scale = defn.scale_of(item)
        a, b = _code_range(scale)
        lo.append(a)
        hi.append(b)
        values = [float(v) for v in range(a, b + 1)]
        pts = [scale.points_of(scale.values[k]) for k in range(len(scale.values))]
        if pts != values:
            mapped.append((j, a, np.asarray(pts, dtype=np.float64)))
    return _Plan(np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64), mapped)


def _locate_bad(defn: InstrumentDefinition, items: FloatArray, plan: _Plan) -> None:
    nan = np.isnan(items)
    with np.errstate(invalid="ignore"):
        bad = ~nan & ((items < plan.lo) | (items > plan.hi) | (items != np.floor(items)))
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        item = defn.items[c]
        scale = defn.scale_of(item)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in scale.values):
            allowed = [a if a != "null" else "NaN" for a in allowed_text(scale)]
        else:
            allowed = [f"{k} = {v}" for k, v in enumerate(scale.values)] + ["NaN"]
        raise ValidationFailure(
            f"answers[{r}, {c}]", f"{items[r, c]!r} is not an allowed code for {item.id}", allowed
        )


def _check(
    defn: InstrumentDefinition, x: FloatArray, items: FloatArray, points: FloatArray, plan: _Plan
) -> None:
    """Fast whole-array check; finds the first bad cell only when there is one.

    ``items`` may hold NaN (ignored by ``fmin``/``fmax``); ``points`` is ``items`` with
    NaN replaced by 0, used for the whole-number check.
    """
    k = len(defn.items)
    out_of_range = False
    if items.shape[0]:
        # Reduce over runs of adjacent columns that share a range: whole-block reductions
        # are far faster than per-column (axis=0) ones.
        start = 0
        for j in range(1, k + 1):
            if j == k or plan.lo[j] != plan.lo[start] or plan.hi[j] != plan.hi[start]:
                block = items[:, start:j]
                if (
                    np.fmin.reduce(block, axis=None) < plan.lo[start]
                    or np.fmax.reduce(block, axis=None) > plan.hi[start]
                ):
                    out_of_range = True
                    break
                start = j
    if items.shape[0] and (out_of_range or not np.array_equal(np.rint(points), points)):
        _locate_bad(defn, x[:, :k], plan)
    if defn.answer_format == "acr2016":
        dur = x[:, k]
        with np.errstate(invalid="ignore"):
            bad_d = ~np.isnan(dur) & ~(dur >= 0)
        if bad_d.any():
            r = int(np.argmax(bad_d))
            raise ValidationFailure(
                f"answers[{r}, {k}]", f"{dur[r]!r} is not a number of months", [">= 0", "NaN"]
            )


def _match(rule: Rule, values: dict[str, FloatArray], n: int) -> BoolArray:
    m = np.ones(n, dtype=bool)
    for c in rule.conditions:
        v = values[c.of]
        with np.errstate(invalid="ignore"):
            if c.ge is not None:
                m &= v >= c.ge
            if c.gt is not None:
                m &= v > c.gt
            if c.le is not None:
                m &= v <= c.le
            if c.lt is not None:
                m &= v < c.lt
    return m


def score_batch(
    instrument_id: str, answers: npt.ArrayLike, *, max_missing: int | None = None
) -> BatchScores:
    """Score many responses at once.

    Parameters
    ----------
    instrument_id : str
        Instrument id.
    answers : array_like, shape (n, columns)
        Float answers, ``NaN`` for missing; columns as :func:`batch_columns`.
    max_missing : int, optional
        Most missing items still scored (default: the instrument's policy).

    Returns
    -------
    BatchScores

    Raises
    ------
    ValidationFailure
        For a wrong shape (``field="answers"``) or the first invalid code
        (``field="answers[row, column]"``), with the allowed values.
    """
    defn = get_definition(instrument_id)
    limit = resolve_max_missing(defn, max_missing)
    x = np.asarray(answers, dtype=np.float64)
    ncols = len(batch_columns(instrument_id))
    if x.ndim != 2 or x.shape[1] != ncols:
        raise ValidationFailure(
            "answers",
            f"expected an array of shape (n, {ncols}), got {x.shape}",
            allowed=[f"(n, {ncols}) columns: {', '.join(batch_columns(instrument_id))}"],
        )
    n, k = x.shape[0], len(defn.items)
    items = x[:, :k] if ncols != k else x
    # A finite total proves there is no NaN (or inf) without building the mask.
    any_nan = not np.isfinite(items.sum())
    nan = np.isnan(items) if any_nan else np.zeros((0, 0), dtype=bool)
    plan = _plan(defn)
    points = np.where(nan, 0.0, items) if any_nan else items
    _check(defn, x, items, points, plan)

    # One matrix product gives the total and every subscale sum.
    index = {item.id: j for j, item in enumerate(defn.items)}
    weights = np.zeros((k, 1 + len(defn.subscales)), dtype=np.float64)
    weights[:, 0] = 1.0
    for s_i, sub in enumerate(defn.subscales, start=1):
        weights[[index[i] for i in sub.items], s_i] = 1.0
    sums = points @ weights
    # Items whose points differ from their value (reversed, recoded): correct the sums
    # column by column instead of copying the whole array.
    for j, a, lut in plan.mapped:
        if any_nan:
            col_points = lut[(np.where(nan[:, j], a, items[:, j]) - a).astype(np.intp)]
            col_points[nan[:, j]] = 0.0
        else:
            col_points = lut[(items[:, j] - a).astype(np.intp)]
        delta = col_points - points[:, j]
        for col in np.flatnonzero(weights[j]).tolist():
            sums[:, col] += delta
    sub_cols = [[index[i] for i in sub.items] for sub in defn.subscales]
    sub_missing: list[IntArray] = []
    if any_nan:
        answered: IntArray = k - np.count_nonzero(nan, axis=1).astype(np.int64)
        sub_missing = [np.count_nonzero(nan[:, c], axis=1).astype(np.int64) for c in sub_cols]
    else:
        answered = np.full(n, k, dtype=np.int64)
    missing = k - answered
    scorable = (missing <= limit) & (answered > 0)
    raw = sums[:, 0]
    method = defn.scoring.method
    prorate = defn.missing.method == "prorate"
    values: dict[str, FloatArray] = {}
    subscales: dict[str, FloatArray] = {}
    for s_i, sub in enumerate(defn.subscales, start=1):
        size = len(sub.items)
        s = sums[:, s_i]
        if any_nan:
            cnt = size - sub_missing[s_i - 1]
            with np.errstate(invalid="ignore", divide="ignore"):
                if prorate:
                    s = np.where(cnt < size, s * size / cnt, s)
                s = np.where((cnt > 0) & scorable, s, np.nan)
        subscales[sub.id] = s
    criteria_met: npt.NDArray[np.int8] | None = None
    known = scorable
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "odi":
            per = float(defn.scoring.points_per_section or 5)
            total = raw * 100.0 / (per * answered)
        elif method == "table":
            assert defn.table is not None
            t_lut = np.full(int(defn.scoring.raw_max or 0) + 1, np.nan)
            for row in defn.table.rows:
                t_lut[row.raw] = row.t
            total = t_lut[np.where(scorable, raw, 0).astype(np.intp)]
        elif method == "acr2016":
            assert not plan.mapped, "ACR 2016 items score their value"
            total, criteria_met, known = _acr(defn, x, points, values, subscales, scorable)
        elif prorate:
            total = np.where(missing > 0, raw * k / answered, raw)
        else:
            total = raw
    if any_nan:  # without NaN every row has all items answered and is scorable
        total = np.where(scorable, total, np.nan)
        raw = np.where(scorable, raw, np.nan)
    values["score"] = total
    values.update(subscales)
    category = np.full(n, -1, dtype=np.int8)
    remaining = known.copy()
    for code_index, rule in enumerate(defn.categories):
        m = remaining & _match(rule, values, n)
        category[m] = code_index
        remaining &= ~m
    flags = {f.code: scorable & _match(f, values, n) for f in defn.flags}
    complete = missing == 0
    if defn.answer_format == "acr2016":
        complete = complete & ~np.isnan(x[:, k])
    return BatchScores(
        instrument=defn.id,
        score=total,
        answered=answered.astype(np.int64),
        complete=complete,
        category=category,
        category_codes=tuple(defn.category_codes()),
        raw=raw,
        subscales=subscales,
        flags=flags,
        criteria_met=criteria_met,
    )


def _acr(
    defn: InstrumentDefinition,
    x: FloatArray,
    points: FloatArray,
    values: dict[str, FloatArray],
    subscales: dict[str, FloatArray],
    scorable: BoolArray,
) -> tuple[FloatArray, npt.NDArray[np.int8], BoolArray]:
    assert defn.wpi_sites is not None and defn.criteria is not None
    sites = defn.wpi_sites
    ns = len(sites)
    regions = sorted({s.region for s in sites})
    member = np.zeros((ns, len(regions)), dtype=np.float64)
    for i, s in enumerate(sites):
        if s.counts_for_generalized_pain:
            member[i, regions.index(s.region)] = 1.0
    wpi = points[:, :ns].sum(axis=1)
    sss = points[:, ns : len(defn.items)].sum(axis=1)
    gen = ((points[:, :ns] @ member) > 0).sum(axis=1).astype(np.float64)
    months = x[:, len(defn.items)]
    for name, arr in (("wpi", wpi), ("sss", sss), ("generalized_regions", gen)):
        subscales[name] = np.where(scorable, arr, np.nan)
    vals = {"wpi": wpi, "sss": sss, "generalized_regions": gen, "duration_months": months}
    n = x.shape[0]
    crit = defn.criteria
    severity = np.zeros(n, dtype=bool)
    for rule in crit.severity:
        severity |= _match(rule, vals, n)
    generalized = _match(crit.generalized_pain, vals, n)
    duration_known = ~np.isnan(months)
    duration = _match(crit.duration, vals, n)
    definitely_not = ~severity | ~generalized | (duration_known & ~duration)
    met = np.where(definitely_not, 0, np.where(duration_known, 1, -1)).astype(np.int8)
    met = np.where(scorable, met, -1).astype(np.int8)
    values["criteria_met"] = met.astype(np.float64)
    return wpi + sss, met, scorable & (met >= 0)
