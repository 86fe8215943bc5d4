"""Checking answers against an instrument definition.

Answers come in published item order with ``None`` for a missing answer. List
instruments also accept a mapping of item id to answer. Every failure raises
:class:`~painmap.core.errors.ValidationFailure` naming the field path
(``answers[3]``, ``answers.sensory[2]``, ``answers.sss.fatigue``) and the allowed values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from painmap.core.errors import ValidationFailure
from painmap.instruments.definitions import (
    AnswerValue,
    InstrumentDefinition,
    ResponseScale,
    get_definition,
)


@dataclass(frozen=True)
class Normalized:
    """Answers aligned with ``definition.items`` (``None`` = missing), plus extra fields.

    Attributes
    ----------
    values : tuple
        One answer value (or ``None``) per item, in item order.
    duration_months : float or None
        ACR 2016 only: months symptoms have been present.
    """

    values: tuple[AnswerValue | None, ...]
    duration_months: float | None = None


def allowed_text(scale: ResponseScale) -> list[str]:
    """The allowed answers of a scale as short text, e.g. ``["0..5", "null"]``."""
    vals = scale.values
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        ints = [int(v) for v in vals]
        if ints == list(range(ints[0], ints[-1] + 1)) and len(ints) > 2:
            return [f"{ints[0]}..{ints[-1]}", "null"]
        return [str(v) for v in ints] + ["null"]
    if all(isinstance(v, bool) for v in vals):
        return ["true", "false", "null"]
    return [str(v) for v in vals] + ["null"]


def _coerce(
    value: Any, scale: ResponseScale, field: str, item_id: str | None = None
) -> AnswerValue | None:
    if value is None:
        return None
    kinds = {type(v) for v in scale.values}
    ok: AnswerValue | None = None
    if kinds == {int}:
        if isinstance(value, int) and not isinstance(value, bool):
            ok = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            ok = int(value)
    elif kinds == {bool}:
        if isinstance(value, bool):
            ok = value
    elif isinstance(value, str):
        ok = value
    if ok is None or ok not in scale.values:
        raise ValidationFailure(
            field,
            f"{value!r} is not an allowed answer" + (f" for item {item_id}" if item_id else ""),
            allowed=allowed_text(scale),
        )
    return ok


def _list_answers(defn: InstrumentDefinition, answers: Any) -> Normalized:
    n = len(defn.items)
    if isinstance(answers, Mapping):
        unknown = [k for k in answers if k not in defn.item_ids]
        if unknown:
            raise ValidationFailure(
                f"answers.{unknown[0]}", "unknown item id", allowed=defn.item_ids
            )
        raw = [answers.get(i.id) for i in defn.items]
        paths = [f"answers.{i.id}" for i in defn.items]
    elif isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
        if len(answers) != n:
            raise ValidationFailure(
                "answers",
                f"expected {n} answer{'s' if n != 1 else ''} in published item order, "
                f"got {len(answers)}",
                allowed=[f"{n} values (null for missing)"],
            )
        raw = list(answers)
        paths = [f"answers[{k}]" for k in range(n)]
    else:
        raise ValidationFailure(
            "answers",
            f"expected a list of {n} values, got {type(answers).__name__}",
            allowed=[f"{n} values (null for missing)", "object of item id to value"],
        )
    values = tuple(
        _coerce(v, defn.scale_of(item), p, item.id)
        for v, item, p in zip(raw, defn.items, paths, strict=True)
    )
    return Normalized(values)


def _require_mapping(
    answers: Any, keys: Sequence[str], field: str = "answers"
) -> Mapping[str, Any]:
    if not isinstance(answers, Mapping):
        raise ValidationFailure(
            field, f"expected an object, got {type(answers).__name__}", allowed=list(keys)
        )
    unknown = [k for k in answers if k not in keys]
    if unknown:
        raise ValidationFailure(f"{field}.{unknown[0]}", "unknown key", allowed=list(keys))
    return answers


def _paindetect(defn: InstrumentDefinition, answers: Any) -> Normalized:
    obj = _require_mapping(answers, ["sensory", "course", "radiating"])
    sensory_items = defn.group_items("sensory")
    sensory = obj.get("sensory")
    if sensory is None:
        sens_vals: list[AnswerValue | None] = [None] * len(sensory_items)
    else:
        if not isinstance(sensory, Sequence) or isinstance(sensory, str | bytes):
            raise ValidationFailure(
                "answers.sensory", "expected a list", allowed=[f"{len(sensory_items)} values"]
            )
        if len(sensory) != len(sensory_items):
            raise ValidationFailure(
                "answers.sensory",
                f"expected {len(sensory_items)} values, got {len(sensory)}",
                allowed=[f"{len(sensory_items)} values (null for missing)"],
            )
        sens_vals = [
            _coerce(v, defn.scale_of(it), f"answers.sensory[{k}]", it.id)
            for k, (v, it) in enumerate(zip(sensory, sensory_items, strict=True))
        ]
    course_item = defn.group_items("course")[0]
    rad_item = defn.group_items("radiating")[0]
    course = _coerce(obj.get("course"), defn.scale_of(course_item), "answers.course")
    radiating = _coerce(obj.get("radiating"), defn.scale_of(rad_item), "answers.radiating")
    return Normalized((*sens_vals, course, radiating))


def _acr2016(defn: InstrumentDefinition, answers: Any) -> Normalized:
    assert defn.wpi_sites is not None and defn.duration is not None
    obj = _require_mapping(answers, ["wpi_sites", "sss", "duration_months"])
    site_ids = [s.id for s in defn.wpi_sites]
    sites = obj.get("wpi_sites")
    wpi_vals: list[AnswerValue | None]
    if sites is None:
        wpi_vals = [None] * len(site_ids)
    else:
        if not isinstance(sites, Sequence) or isinstance(sites, str | bytes):
            raise ValidationFailure(
                "answers.wpi_sites", "expected a list of site ids", allowed=site_ids
            )
        seen: set[str] = set()
        for k, s in enumerate(sites):
            if not isinstance(s, str) or s not in site_ids:
                raise ValidationFailure(
                    f"answers.wpi_sites[{k}]", f"{s!r} is not a WPI site id", allowed=site_ids
                )
            if s in seen:
                raise ValidationFailure(
                    f"answers.wpi_sites[{k}]", f"site {s!r} listed twice", allowed=site_ids
                )
            seen.add(s)
        wpi_vals = [1 if s in seen else 0 for s in site_ids]
    sss_items = defn.group_items("sss")
    sss_keys = [str(i.key) for i in sss_items]
    sss = obj.get("sss")
    if sss is None:
        sss_vals: list[AnswerValue | None] = [None] * len(sss_items)
    else:
        sss_map = _require_mapping(sss, sss_keys, "answers.sss")
        sss_vals = [
            _coerce(sss_map.get(str(it.key)), defn.scale_of(it), f"answers.sss.{it.key}", it.id)
            for it in sss_items
        ]
    duration = obj.get("duration_months")
    months: float | None = None
    if duration is not None:
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int | float)
            or not math.isfinite(duration)
            or duration < defn.duration.min
        ):
            raise ValidationFailure(
                "answers.duration_months",
                f"{duration!r} is not a number of months",
                allowed=[f">= {defn.duration.min:g}", "null"],
            )
        months = float(duration)
    return Normalized((*wpi_vals, *sss_vals), months)


def normalize_answers(defn: InstrumentDefinition, answers: Any) -> Normalized:
    """Validate answers and align them with the definition's items.

    Parameters
    ----------
    defn : InstrumentDefinition
        The instrument.
    answers : list or dict
        Answers in published item order (``None`` = missing), or the instrument's
        object form (painDETECT, ACR 2016, or item id to value).

    Returns
    -------
    Normalized

    Raises
    ------
    ValidationFailure
        Naming the offending answer and the allowed values.
    """
    if defn.answer_format == "paindetect":
        return _paindetect(defn, answers)
    if defn.answer_format == "acr2016":
        return _acr2016(defn, answers)
    return _list_answers(defn, answers)


def validate_answers(instrument_id: str, answers: list[Any] | dict[str, Any]) -> None:
    """Check answers against an instrument's definition.

    Parameters
    ----------
    instrument_id : str
        Instrument id, e.g. ``"odi"``.
    answers : list or dict
        Answers in published item order, ``None`` for missing.

    Raises
    ------
    ValidationFailure
        ``field="instrument"`` for an unknown instrument (allowed = the ids), otherwise the
        path of the bad answer (``answers[3]``, ``answers.sensory[2]``) and its allowed values.
    """
    if plain_answers_valid(instrument_id, answers):
        return  # the common case, checked without building the normalised answers
    normalize_answers(get_definition(instrument_id), answers)


def plain_answers_valid(instrument_id: str, answers: object) -> bool:
    """Whether answers are a plain valid list of integers (``None`` for missing).

    A quick check for the common case: True only for a known list-format instrument
    whose scales are all integers, given a ``list`` of the right length holding
    ``int`` (not ``bool``) answers in each item's allowed set, or ``None``. Such
    answers pass :func:`validate_answers`; False says nothing (use
    :func:`validate_answers` to learn what is wrong, if anything).

    Parameters
    ----------
    instrument_id : str
        Instrument id; unknown ids give False.
    answers : object
        The answers.

    Returns
    -------
    bool
    """
    plan = _PLANS.get(instrument_id, _UNKNOWN)
    if plan is _UNKNOWN:
        try:
            sets = _integer_answer_sets(instrument_id)
        except ValidationFailure:  # unknown instrument
            return False
        plan = None if sets is None else _plan(sets)
        _PLANS[instrument_id] = plan
    if plan is None or type(answers) is not list:
        return False
    n, same, sets = plan
    same_set: frozenset[int | None] | None = same
    if len(answers) != n or not _INT_OR_NONE.issuperset(map(type, answers)):
        return False
    if same_set is not None:  # every item has the same allowed answers
        return same_set.issuperset(answers)
    return all(v is None or v in ok for v, ok in zip(answers, sets, strict=True))


_UNKNOWN: Any = object()
_INT_OR_NONE = frozenset({int, type(None)})
#: Instrument id -> (items, allowed set shared by every item plus None, or None;
#: allowed set per item), or None when answers are not plain integer lists.
_Plan = tuple[int, frozenset[int | None] | None, tuple[frozenset[int], ...]]
_PLANS: dict[str, _Plan | None] = {}


def _plan(sets: tuple[frozenset[int], ...]) -> _Plan:
    same = frozenset({*sets[0], None}) if sets and all(s == sets[0] for s in sets) else None
    return len(sets), same, sets


@cache
def _integer_answer_sets(instrument_id: str) -> tuple[frozenset[int], ...] | None:
    """Allowed answers per item of a list instrument whose scales are all integers.

    ``None`` for other answer formats. Used by :func:`validate_answers` to accept a
    list of plain integers (or ``None``) quickly; anything else, and every failure,
    goes through :func:`normalize_answers`, which names the bad answer.
    """
    defn = get_definition(instrument_id)
    if defn.answer_format != "list":
        return None
    sets = []
    for item in defn.items:
        values = defn.scale_of(item).values
        if not all(type(v) is int for v in values):
            return None
        sets.append(frozenset(int(v) for v in values))
    return tuple(sets)
