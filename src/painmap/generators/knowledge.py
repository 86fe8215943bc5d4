"""The knowledge base: evidence items, their targets and their published accuracy.

The numbers live in ``generators/data/*.json`` (versioned, each with its citation);
this module only reads and checks them. Likelihood ratios are taken as published when
given, otherwise derived from sensitivity and specificity
(``LR+ = Sn / (1 - Sp)``, ``LR- = (1 - Sn) / Sp``).
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Match = Literal["level", "all", "side", "level_side", "root_side", "global"]
Category = Literal["exam", "imaging", "emg", "questionnaire", "drawing", "block"]
CostClass = Literal["exam", "imaging", "emg", "block", "questionnaire", "drawing"]

#: 97.5th percentile of the standard normal, to turn a 95% CI into a standard error.
_Z975 = 1.959963984540054
#: Standard error (log10 units) assumed for a likelihood ratio with no published CI.
DEFAULT_LOG10_SE = 0.1

_FROZEN = ConfigDict(extra="forbid", frozen=True)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class Accuracy(BaseModel):
    """Published accuracy of one evidence item for one target structure."""

    model_config = _FROZEN

    sensitivity: float | None = Field(default=None, gt=0, lt=1)
    sensitivity_ci: tuple[float, float] | None = None
    specificity: float | None = Field(default=None, gt=0, lt=1)
    specificity_ci: tuple[float, float] | None = None
    lr_positive: float | None = Field(default=None, gt=0)
    lr_positive_ci: tuple[float, float] | None = None
    lr_negative: float | None = Field(default=None, gt=0)
    lr_negative_ci: tuple[float, float] | None = None
    reference_standard: str
    citations: list[str] = Field(min_length=1)
    verified: bool
    derivation: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Accuracy:
        if self.lr_positive is None and (self.sensitivity is None or self.specificity is None):
            raise ValueError("needs lr_positive or sensitivity and specificity")
        for name in ("sensitivity", "specificity", "lr_positive", "lr_negative"):
            ci = getattr(self, name + "_ci")
            value = getattr(self, name)
            if ci is not None and (value is None or not ci[0] <= value <= ci[1]):
                raise ValueError(f"{name}_ci {ci} does not contain {name} {value}")
        return self

    @property
    def lr_pos(self) -> float:
        """Positive likelihood ratio (published, else derived)."""
        if self.lr_positive is not None:
            return self.lr_positive
        assert self.sensitivity is not None and self.specificity is not None
        return self.sensitivity / (1.0 - self.specificity)

    @property
    def lr_neg(self) -> float | None:
        """Negative likelihood ratio (published, else derived); None when unknown."""
        if self.lr_negative is not None:
            return self.lr_negative
        if self.sensitivity is None or self.specificity is None:
            return None
        return (1.0 - self.sensitivity) / self.specificity

    def log10_se(self, positive: bool) -> tuple[float, str]:
        """Standard error of log10 LR and where it came from (published CI or assumed).

        Parameters
        ----------
        positive : bool
            True for LR+, False for LR-.

        Returns
        -------
        tuple of (float, str)
            The standard error in log10 units and ``"published"`` or ``"assumed"``.
        """
        lr_ci = self.lr_positive_ci if positive else self.lr_negative_ci
        if lr_ci is not None:
            return (math.log10(lr_ci[1]) - math.log10(lr_ci[0])) / (2 * _Z975), "published"
        sn, sp = self.sensitivity, self.specificity
        if sn is not None and sp is not None and (self.sensitivity_ci or self.specificity_ci):
            se_sn = _logit_se(self.sensitivity_ci)
            se_sp = _logit_se(self.specificity_ci)
            # delta method: d ln(p) / d logit(p) = 1 - p ; d ln(1 - p) / d logit(p) = -p
            if positive:
                var = (se_sn * (1 - sn)) ** 2 + (se_sp * sp) ** 2
            else:
                var = (se_sn * sn) ** 2 + (se_sp * (1 - sp)) ** 2
            return math.sqrt(var) / math.log(10), "published"
        return DEFAULT_LOG10_SE, "assumed"


def misclassified(sensitivity: float, specificity: float, error: float) -> tuple[float, float]:
    """Sensitivity and specificity of a feature read with a symmetric error rate.

    A drawing reports the feature wrongly with probability ``error`` (either way), so
    ``Sn' = Sn (1 - e) + (1 - Sn) e`` and ``Sp' = Sp (1 - e) + (1 - Sp) e``.
    """
    return (
        sensitivity * (1 - error) + (1 - sensitivity) * error,
        specificity * (1 - error) + (1 - specificity) * error,
    )


def _logit_se(ci: tuple[float, float] | None) -> float:
    if ci is None:
        return 0.0
    return (_logit(ci[1]) - _logit(ci[0])) / (2 * _Z975)


class Target(BaseModel):
    """Which candidates an item speaks about, and how its location picks them."""

    model_config = _FROZEN

    structure: Literal["disc", "facet", "root", "sij", "hip", "myofascial", "nociplastic"]
    match: Match
    roots: list[str] | None = None
    accuracy: Accuracy | None


class BlockSpec(BaseModel):
    """How a diagnostic-block record maps onto this item."""

    model_config = _FROZEN

    type: str
    design: Literal["single", "comparative", "placebo_controlled"]
    relief_threshold_percent: float = Field(ge=0, le=100)
    single_block_ceiling: float | None = Field(default=None, gt=0, lt=1)
    ceiling_citations: list[str] | None = None
    ceiling_note: str | None = None


class Item(BaseModel):
    """One evidence item of the knowledge base."""

    model_config = _FROZEN

    id: str
    name: str
    category: Category
    cost_class: CostClass
    results: list[str]
    requires: list[Literal["level", "root", "side"]]
    group: str | None
    orderable: bool
    modality: str | None = None
    prevalence_key: str | None = None
    instrument: str | None = None
    cutoff: float | None = None
    block: BlockSpec | None = None
    drawing_misclassification: float | None = Field(default=None, ge=0, lt=0.5)
    misclassification_citations: list[str] | None = None
    targets: list[Target] = Field(min_length=1)
    note: str | None = None

    @property
    def quantified(self) -> bool:
        """Whether any target carries an accuracy (i.e. the item can be counted)."""
        return any(t.accuracy is not None for t in self.targets)


class KnowledgeBase(BaseModel):
    """The whole knowledge base with its citations."""

    model_config = _FROZEN

    version: str
    description: str
    items: list[Item]
    citations: dict[str, str]

    @model_validator(mode="after")
    def _check(self) -> KnowledgeBase:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate item id {item.id!r}")
            seen.add(item.id)
            keys = [c for t in item.targets if t.accuracy for c in t.accuracy.citations]
            if item.block and item.block.ceiling_citations:
                keys += item.block.ceiling_citations
            keys += item.misclassification_citations or []
            for key in keys:
                if key not in self.citations:
                    raise ValueError(f"item {item.id!r} cites unknown key {key!r}")
        return self

    def item(self, item_id: str) -> Item:
        """Return the item with this id (KeyError when unknown)."""
        return self._by_id()[item_id]

    def _by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @property
    def ids(self) -> list[str]:
        """Item ids in file order."""
        return [i.id for i in self.items]


def _read(name: str) -> Any:
    text = resources.files("painmap.generators").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@cache
def citations() -> dict[str, str]:
    """Citation key → full reference."""
    data: dict[str, str] = _read("citations.json")["citations"]
    return data


@cache
def load_kb() -> KnowledgeBase:
    """Load and check the packaged knowledge base (cached).

    Returns
    -------
    KnowledgeBase
        Items with targets, accuracy and citations.
    """
    raw = _read("kb.json")
    return KnowledgeBase(
        version=raw["version"],
        description=raw["description"],
        items=raw["items"],
        citations=citations(),
    )


@cache
def item_order() -> dict[str, int]:
    """Item id → position in the knowledge-base file (cached)."""
    return {item_id: k for k, item_id in enumerate(load_kb().ids)}


@cache
def item_index() -> dict[str, Item]:
    """Item id → item (cached)."""
    return {i.id: i for i in load_kb().items}


@cache
def load_priors_data() -> dict[str, Any]:
    """Raw packaged prior data (``priors.json``)."""
    data: dict[str, Any] = _read("priors.json")
    return data


@cache
def load_asymptomatic_data() -> dict[str, Any]:
    """Raw packaged asymptomatic-prevalence data (``asymptomatic.json``)."""
    data: dict[str, Any] = _read("asymptomatic.json")
    return data
