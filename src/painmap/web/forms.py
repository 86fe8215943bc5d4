"""Clinician forms (exam, imaging, EMG, block, treatment): fields, choices, parsing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from painmap.core.enums import (
    LEVELS,
    BlockDesign,
    BlockType,
    ElectroFinding,
    ElectroTest,
    FindingResult,
    ImagingFinding,
    Modality,
    Root,
    Side,
    SpinalLevel,
    Structure,
    TreatmentType,
)
from painmap.core.errors import ValidationFailure


@dataclass(frozen=True)
class Field:
    """One form field: name, label, widget and (for selects) the allowed values."""

    name: str
    label: str
    widget: str = "select"  # select | text | number | date | multi | bool | textarea
    choices: tuple[str, ...] = ()
    required: bool = False
    extra: str = ""


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


LEVEL_CHOICES = tuple(lv.value for lv in SpinalLevel)
SIDE = Field("side", "Side", choices=_values(Side))
LEVEL = Field("level", "Level", choices=LEVEL_CHOICES)
ROOT = Field("root", "Root", choices=_values(Root))
NOTE = Field("note", "Note (no names or identifiers)", widget="textarea")

FORMS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "exam": (
        "Examination test",
        (
            Field("test", "Test", widget="text", required=True,
                  extra="lower-case words joined by _, e.g. slr, crossed_slr, thigh_thrust"),
            Field("result", "Result", choices=_values(FindingResult), required=True),
            LEVEL, ROOT, SIDE, NOTE,
        ),
    ),
    "imaging": (
        "Imaging finding",
        (
            Field("modality", "Modality", choices=_values(Modality), required=True),
            Field("finding", "Finding", choices=_values(ImagingFinding), required=True),
            Field("level", "Level", choices=LEVEL_CHOICES, required=True),
            SIDE, ROOT, NOTE,
        ),
    ),
    "electrodiagnostic": (
        "EMG / nerve conduction finding",
        (
            Field("test", "Study", choices=_values(ElectroTest), required=True),
            Field("target", "Muscle or nerve", widget="text", required=True,
                  extra="e.g. tibialis_anterior, peroneal"),
            Field("finding", "Finding", choices=_values(ElectroFinding), required=True),
            ROOT, SIDE, NOTE,
        ),
    ),
    "block": (
        "Diagnostic block",
        (
            Field("type", "Block type", choices=_values(BlockType), required=True),
            Field("levels", "Levels", widget="multi", choices=tuple(lv.value for lv in LEVELS)),
            ROOT, SIDE,
            Field("anaesthetic", "Anaesthetic", widget="text", extra="e.g. lidocaine"),
            Field("design", "Design", choices=_values(BlockDesign), required=True),
            Field("pre_pain", "Pain before (0-10)", widget="number", required=True),
            Field("post_pain", "Pain after (0-10)", widget="number", required=True),
            Field("concordant_duration", "Relief lasted as long as the anaesthetic",
                  widget="bool"),
            NOTE,
        ),
    ),
    "treatment": (
        "Treatment",
        (
            Field("type", "Treatment", choices=_values(TreatmentType), required=True),
            Field("target", "Target structure", choices=_values(Structure)),
            LEVEL, ROOT, SIDE,
            Field("start", "Start date", widget="date", required=True),
            Field("end", "End date", widget="date"),
            NOTE,
        ),
    ),
}


def record_from_form(kind: str, form: Any) -> dict[str, Any]:
    """Turn submitted fields into a record dict (empty fields are left out).

    Parameters
    ----------
    kind : str
        One of :data:`FORMS`.
    form : starlette FormData or mapping
        Submitted fields (``getlist`` is used for multi-selects when present).

    Raises
    ------
    ValidationFailure
        On an unknown form, a missing required field, or a value outside a select's
        allowed values (the message lists them).
    """
    if kind not in FORMS:
        raise ValidationFailure("kind", f"unknown form {kind!r}", list(FORMS))
    out: dict[str, Any] = {"kind": kind}
    for f in FORMS[kind][1]:
        if f.widget == "multi":
            values = form.getlist(f.name) if hasattr(form, "getlist") else form.get(f.name, [])
            values = [v for v in values if isinstance(v, str) and v]
            for v in values:
                if v not in f.choices:
                    raise ValidationFailure(f.name, f"{v!r} is not allowed", f.choices)
            if values:
                out[f.name] = values
            continue
        raw = form.get(f.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            if f.required:
                allowed = f.choices if f.choices else None
                raise ValidationFailure(f.name, f"{f.label} is required", allowed)
            continue
        if f.widget == "select" and value not in f.choices:
            raise ValidationFailure(f.name, f"{value!r} is not allowed", f.choices)
        if f.widget == "bool":
            out[f.name] = value in ("1", "true", "on", "yes")
        else:
            out[f.name] = value
    return out
