"""Questionnaire forms built from the instrument definitions.

Item texts are shown only when a licensed content pack gives them (or the definition
says the text ships with painmap); otherwise the item id and its short label are shown,
with answer values and their codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from painmap.core.errors import ValidationFailure
from painmap.instruments import (
    ContentPack,
    InstrumentDefinition,
    definitions,
    get_definition,
    item_label,
    option_label,
)


@dataclass(frozen=True)
class Option:
    """One answer choice."""

    value: str
    label: str


@dataclass(frozen=True)
class FormItem:
    """One item of a questionnaire form."""

    id: str
    text: str
    options: list[Option]


@dataclass(frozen=True)
class FormSummary:
    """A questionnaire offered to patients."""

    id: str
    name: str
    short_name: str
    n_items: int


#: Questionnaires patients fill on the web, in this order (list-format instruments).
PATIENT_ORDER = ("nrs", "odi", "startback", "pcs", "rmdq", "csi", "tsk17", "promis_pi_4a")


def offered() -> list[FormSummary]:
    """Questionnaires a patient can fill on the web."""
    by_id = {d.id: d for d in definitions() if d.answer_format == "list"}
    return [
        FormSummary(d.id, d.name, d.short_name, len(d.items))
        for i in PATIENT_ORDER
        if (d := by_id.get(i)) is not None
    ]


def web_definition(instrument_id: str) -> InstrumentDefinition:
    """The definition of a questionnaire offered on the web.

    Raises
    ------
    ValidationFailure
        For an unknown instrument or one that is not filled on the web.
    """
    allowed = [f.id for f in offered()]
    if instrument_id not in allowed:
        raise ValidationFailure("instrument", f"unknown questionnaire {instrument_id!r}", allowed)
    return get_definition(instrument_id)


def form_items(
    defn: InstrumentDefinition, pack: ContentPack | None = None
) -> tuple[list[FormItem], bool]:
    """The items of a form and whether full item texts are shown.

    Parameters
    ----------
    defn : InstrumentDefinition
        The instrument.
    pack : ContentPack, optional
        Licensed item texts loaded by the site (``painmap serve --content-pack DIR``).

    Returns
    -------
    (list of FormItem, bool)
        Items with the text to show and their options; True when the texts are the
        instrument's own wording (shipped with painmap or from the pack).
    """
    in_pack = pack is not None and any(pack.text(defn.id, i.id) for i in defn.items)
    have_texts = in_pack or defn.licence.item_text_shipped
    items = []
    for item in defn.items:
        scale = defn.scale_of(item)
        options = []
        for value in scale.values:
            label = option_label(defn, item.id, value, pack)
            options.append(Option(str(value), f"{value} · {label}" if str(value) != label
                                  else label))
        items.append(FormItem(item.id, item_label(defn, item.id, pack), options))
    return items, have_texts


def answers_from_form(defn: InstrumentDefinition, form: dict[str, Any]) -> list[Any]:
    """Answers in published item order from submitted form fields (missing -> None).

    Raises
    ------
    ValidationFailure
        When a submitted value is not one of the item's allowed values.
    """
    out: list[Any] = []
    for idx, item in enumerate(defn.items):
        raw = form.get(item.id)
        if raw in (None, ""):
            out.append(None)
            continue
        scale = defn.scale_of(item)
        match = [v for v in scale.values if str(v) == str(raw)]
        if not match:
            raise ValidationFailure(f"answers[{idx}] ({item.id})", "not an allowed answer",
                                    [str(v) for v in scale.values])
        out.append(match[0])
    return out
