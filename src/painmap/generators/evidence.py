"""The evidence a ranking starts from (the JSON that ``painmap generators rank`` reads).

Shape::

    {"age": 54, "sex": "female", "pain_sides": ["left"],
     "drawing": {...}, "instruments": {"csi": [...]},
     "findings": [{"item": "mri_modic1", "result": "present", "level": "L4-L5"}],
     "blocks": [{"type": "medial_branch", "levels": ["L4-L5"], "side": "left",
                 "design": "single", "relief_percent": 80}]}

Unknown items, levels, roots, sides or results are rejected with the allowed values
(:class:`painmap.core.errors.ValidationFailure`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from painmap.bodymap.drawing import Drawing
from painmap.core.enums import BlockDesign, BlockType, Sex
from painmap.core.errors import ValidationFailure
from painmap.generators.candidates import LEVEL_NAMES, ROOT_NAMES
from painmap.generators.knowledge import item_index

_STRICT = ConfigDict(extra="forbid", frozen=True)
SIDE_VALUES: tuple[str, ...] = ("left", "right", "bilateral", "midline")


class Finding(BaseModel):
    """One exam sign, imaging finding, EMG result or drawing feature."""

    model_config = _STRICT

    item: str
    result: str
    level: str | None = None
    root: str | None = None
    side: str | None = None


class BlockEvidence(BaseModel):
    """One diagnostic block (or a comparative/placebo-controlled series, as one record)."""

    model_config = _STRICT

    type: BlockType
    levels: list[str] = Field(default_factory=list)
    root: str | None = None
    side: str | None = None
    design: BlockDesign = BlockDesign.SINGLE
    relief_percent: float = Field(ge=0, le=100)
    concordant_duration: bool | None = None
    concordant_pain: bool | None = None


class Evidence(BaseModel):
    """Everything known about one patient at one time."""

    model_config = _STRICT

    age: float = Field(gt=0, le=120)
    sex: Sex
    pain_sides: list[Literal["left", "right"]] | None = None
    drawing: Drawing | None = None
    instruments: dict[str, list[Any] | dict[str, Any]] | None = None
    findings: list[Finding] = Field(default_factory=list)
    blocks: list[BlockEvidence] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _check_location(where: str, level: str | None, root: str | None, side: str | None) -> None:
    if level is not None and level not in LEVEL_NAMES:
        raise ValidationFailure(f"{where}.level", f"unknown level {level!r}", LEVEL_NAMES)
    if root is not None and root not in ROOT_NAMES:
        raise ValidationFailure(f"{where}.root", f"unknown root {root!r}", ROOT_NAMES)
    if side is not None and side not in SIDE_VALUES:
        raise ValidationFailure(f"{where}.side", f"unknown side {side!r}", SIDE_VALUES)


def check_finding(finding: Finding, where: str) -> None:
    """Check one finding against the knowledge base.

    Parameters
    ----------
    finding : Finding
        The finding.
    where : str
        Field path used in error messages, e.g. ``"findings[2]"``.

    Raises
    ------
    ValidationFailure
        Unknown item, result, level, root or side, or a required location missing.
    """
    items = item_index()
    item = items.get(finding.item)
    if item is None:
        allowed = sorted(k for k, v in items.items() if v.block is None)
        raise ValidationFailure(f"{where}.item", f"unknown item {finding.item!r}", allowed)
    if item.block is not None:
        raise ValidationFailure(
            f"{where}.item", f"{finding.item!r} is a block: give it under 'blocks'"
        )
    if finding.result not in item.results:
        raise ValidationFailure(
            f"{where}.result", f"unknown result {finding.result!r} for {item.id}", item.results
        )
    _check_location(where, finding.level, finding.root, finding.side)
    for field in item.requires:
        if getattr(finding, field) is None:
            names = LEVEL_NAMES if field == "level" else ROOT_NAMES
            raise ValidationFailure(f"{where}.{field}", f"{item.id} needs a {field}", names)


def check_block(block: BlockEvidence, where: str) -> None:
    """Check one block's location fields (levels for facet/disc, root for root blocks).

    Raises
    ------
    ValidationFailure
        Unknown level/root/side, or a required location missing.
    """
    for i, level in enumerate(block.levels):
        if level not in LEVEL_NAMES:
            raise ValidationFailure(f"{where}.levels[{i}]", f"unknown level {level!r}", LEVEL_NAMES)
    _check_location(where, None, block.root, block.side)
    if block.type in (BlockType.MEDIAL_BRANCH, BlockType.DISCOGRAPHY) and not block.levels:
        raise ValidationFailure(
            f"{where}.levels", f"a {block.type} block needs levels", LEVEL_NAMES
        )
    if block.type == BlockType.SELECTIVE_NERVE_ROOT and block.root is None:
        raise ValidationFailure(
            f"{where}.root", "a selective nerve root block needs a root", ROOT_NAMES
        )


def check_evidence(evidence: Evidence) -> None:
    """Check every finding and block of an evidence object against the knowledge base."""
    for i, f in enumerate(evidence.findings):
        check_finding(f, f"findings[{i}]")
    for i, b in enumerate(evidence.blocks):
        check_block(b, f"blocks[{i}]")


def parse_evidence(data: Any, where: str = "") -> Evidence:
    """Build and check an :class:`Evidence` from parsed JSON.

    Parameters
    ----------
    data : Any
        Parsed JSON (a mapping).
    where : str, optional
        Prefix for field paths in errors (e.g. ``"line 3: "``).

    Returns
    -------
    Evidence
        The validated evidence.

    Raises
    ------
    ValidationFailure
        On any schema or vocabulary error, naming the field and the allowed values.
    """
    if not isinstance(data, dict):
        raise ValidationFailure(where + "(root)", "evidence must be a JSON object")
    try:
        evidence = Evidence.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        ctx = err.get("ctx") or {}
        allowed = [ctx["expected"]] if "expected" in ctx else None
        raise ValidationFailure(where + loc, err["msg"], allowed) from None
    try:
        check_evidence(evidence)
    except ValidationFailure as exc:
        if where:
            raise ValidationFailure(where + exc.field, exc.message, exc.allowed) from None
        raise
    return evidence
