"""Instrument definitions: typed views of the JSON data files in ``instruments/data``.

Each file describes one questionnaire: item ids, response values and their codes,
subscales, categories (cut-offs), change thresholds, LOINC codes, licence notes and a
citation for every rule. No copyrighted item text is shipped.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from painmap.core.errors import ValidationFailure

#: Instrument ids, in the order they are listed.
INSTRUMENT_IDS: tuple[str, ...] = (
    "nrs",
    "odi",
    "rmdq",
    "startback",
    "paindetect",
    "pcs",
    "csi",
    "tsk17",
    "acr2016",
    "promis_pi_4a",
)

_FROZEN = ConfigDict(extra="forbid", frozen=True)

AnswerValue = int | str | bool


class Citation(BaseModel):
    """A source and how well it was checked (``verified``, ``partly_verified``, ...)."""

    model_config = _FROZEN
    text: str
    status: str


class ResponseScale(BaseModel):
    """Allowed answer values of an item, their codes and (optionally) points scored."""

    model_config = _FROZEN
    values: list[AnswerValue]
    codes: list[str]
    points: list[float] | None = None
    loinc_answers: list[str] | None = None
    answer_list: str | None = None
    note: str | None = None
    cite: list[str]

    def points_of(self, value: AnswerValue) -> float:
        """Points scored for an answer value (the value itself when no map is given)."""
        index = self.values.index(value)
        if self.points is not None:
            return self.points[index]
        assert not isinstance(value, str)
        return float(value)


class Item(BaseModel):
    """One item: id, neutral label (not the copyrighted text) and response scale."""

    model_config = _FROZEN
    id: str
    label: str
    scale: str
    domain: str | None = None
    group: str | None = None
    site: str | None = None
    key: str | None = None
    reverse: bool = False
    loinc: str | None = None


class Condition(BaseModel):
    """A comparison of a named quantity (``score``, a subscale, ...) with a threshold."""

    model_config = _FROZEN
    of: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies every bound of the condition."""
        return (
            (self.ge is None or value >= self.ge)
            and (self.gt is None or value > self.gt)
            and (self.le is None or value <= self.le)
            and (self.lt is None or value < self.lt)
        )


class Rule(BaseModel):
    """A code assigned when all its conditions hold (first matching rule wins)."""

    model_config = _FROZEN
    code: str = ""
    conditions: list[Condition]
    cite: list[str]

    def holds(self, values: dict[str, float]) -> bool:
        """Whether every condition holds for the named values."""
        return all(c.holds(values[c.of]) for c in self.conditions)


class Scoring(BaseModel):
    """How the total is computed and its range."""

    model_config = _FROZEN
    method: Literal["sum", "odi", "table", "acr2016"]
    min: float
    max: float
    raw_min: float | None = None
    raw_max: float | None = None
    points_per_section: int | None = None
    note: str | None = None
    cite: list[str]


class MissingPolicy(BaseModel):
    """What happens to missing answers: not scored, prorated, or smaller denominator."""

    model_config = _FROZEN
    method: Literal["none", "prorate", "denominator"]
    default_max_missing: int
    note: str
    cite: list[str]


class Subscale(BaseModel):
    """A named sum over some items."""

    model_config = _FROZEN
    id: str
    items: list[str]
    min: float
    max: float
    cite: list[str]


class ChangeRule(BaseModel):
    """A threshold for meaningful improvement, in points or percent of baseline."""

    model_config = _FROZEN
    id: str
    level: str
    kind: Literal["points", "percent"]
    threshold: float
    text: str
    cite: list[str]


class DetectableChange(BaseModel):
    """Minimum detectable change (measurement error), in points."""

    model_config = _FROZEN
    points: float
    text: str
    cite: list[str]


class ChangeSpec(BaseModel):
    """Meaningful-change rules of an instrument."""

    model_config = _FROZEN
    combine: Literal["any", "levels"]
    rules: list[ChangeRule]
    meaningful_levels: list[str]
    mdc: DetectableChange | None = None
    note: str | None = None


class TableRow(BaseModel):
    """One row of a raw score to T-score table."""

    model_config = _FROZEN
    raw: int
    t: float
    se: float


class ConversionTable(BaseModel):
    """A published raw→T-score table."""

    model_config = _FROZEN
    rows: list[TableRow]
    cite: list[str]


class Codes(BaseModel):
    """LOINC codes of the instrument (panel and score) where they exist."""

    model_config = _FROZEN
    panel: str | None = None
    panel_display: str | None = None
    score: str | None = None
    score_display: str | None = None
    cite: list[str]


class Licence(BaseModel):
    """Rights holder, terms and whether item texts ship with painmap."""

    model_config = _FROZEN
    holder: str
    text: str
    item_text_shipped: bool
    cite: list[str]


class WpiSite(BaseModel):
    """An ACR 2016 Widespread Pain Index site and its region."""

    model_config = _FROZEN
    id: str
    region: str
    counts_for_generalized_pain: bool


class DurationSpec(BaseModel):
    """The ACR 2016 symptom duration answer."""

    model_config = _FROZEN
    key: str
    min: float
    label: str
    cite: list[str]


class Criteria(BaseModel):
    """ACR 2016 criteria parts."""

    model_config = _FROZEN
    severity: list[Rule]
    generalized_pain: Rule
    duration: Rule


class InstrumentDefinition(BaseModel):
    """A questionnaire as data: items, scoring, cut-offs, change rules, codes, licence."""

    model_config = _FROZEN
    id: str
    version: str
    name: str
    short_name: str
    answer_format: Literal["list", "paindetect", "acr2016"]
    higher_is_worse: bool
    scales: dict[str, ResponseScale]
    items: list[Item]
    scoring: Scoring
    missing: MissingPolicy
    subscales: list[Subscale] = Field(default_factory=list)
    categories: list[Rule] = Field(default_factory=list)
    categories_note: str | None = None
    flags: list[Rule] = Field(default_factory=list)
    change: ChangeSpec
    loinc: Codes
    licence: Licence
    table: ConversionTable | None = None
    wpi_sites: list[WpiSite] | None = None
    duration: DurationSpec | None = None
    criteria: Criteria | None = None
    citations: dict[str, Citation]

    def item(self, item_id: str) -> Item:
        """The item with this id."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise ValidationFailure("item", f"unknown item {item_id!r}", [i.id for i in self.items])

    def scale_of(self, item: Item) -> ResponseScale:
        """The response scale of an item."""
        return self.scales[item.scale]

    @property
    def item_ids(self) -> list[str]:
        """Item ids in published order."""
        return [i.id for i in self.items]

    def group_items(self, group: str) -> list[Item]:
        """Items of a group (``sensory``, ``wpi_sites``, ``sss``, ...)."""
        return [i for i in self.items if i.group == group]

    def category_codes(self) -> list[str]:
        """Category codes in rule order (their index is the batch category code)."""
        return [c.code for c in self.categories]


@cache
def get_definition(instrument_id: str) -> InstrumentDefinition:
    """Load the definition of one instrument from the package data.

    Parameters
    ----------
    instrument_id : str
        One of :data:`INSTRUMENT_IDS`.

    Returns
    -------
    InstrumentDefinition
        The parsed, validated definition.

    Raises
    ------
    ValidationFailure
        If the instrument id is unknown (``field="instrument"``, allowed = the ids).
    """
    if instrument_id not in INSTRUMENT_IDS:
        raise ValidationFailure(
            "instrument", f"unknown instrument {instrument_id!r}", allowed=INSTRUMENT_IDS
        )
    text = resources.files("painmap.instruments").joinpath(f"data/{instrument_id}.json")
    return InstrumentDefinition.model_validate(json.loads(text.read_text(encoding="utf-8")))


def definitions() -> list[InstrumentDefinition]:
    """All instrument definitions, in :data:`INSTRUMENT_IDS` order.

    Returns
    -------
    list of InstrumentDefinition
    """
    return [get_definition(i) for i in INSTRUMENT_IDS]
