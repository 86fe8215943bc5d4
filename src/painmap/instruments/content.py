"""Item texts for display, from a user-supplied content pack.

painmap ships no copyrighted item text. A site that holds a licence (e.g. Mapi for the
ODI and PCS) can put the licensed texts in a *content pack*: a directory with one JSON
file per instrument::

    {"instrument": "odi", "copyright": "...",
     "items": {"odi_1": {"text": "...", "options": {"0": "...", "1": "..."}}}}

Option keys are answer values (``"0"``, ``"true"``, ``"persistent_with_attacks"``) or
answer codes (``"statement_1"``). Without a pack, :func:`item_label` falls back to
painmap's own short neutral label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from painmap.core.errors import ValidationFailure
from painmap.instruments.definitions import INSTRUMENT_IDS, InstrumentDefinition, get_definition


class ItemText(BaseModel):
    """The licensed text of one item and of its answer options."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1, max_length=5000)
    options: dict[str, str] = Field(default_factory=dict)


class InstrumentContent(BaseModel):
    """The texts of one instrument in a content pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    instrument: str
    language: str | None = None
    copyright: str | None = None
    items: dict[str, ItemText]


class ContentPack(BaseModel):
    """Item texts for some instruments, keyed by instrument id."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    instruments: dict[str, InstrumentContent] = Field(default_factory=dict)

    def text(self, instrument_id: str, item_id: str) -> ItemText | None:
        """The text of an item, or ``None`` when the pack does not have it."""
        content = self.instruments.get(instrument_id)
        return None if content is None else content.items.get(item_id)


def _option_keys(defn: InstrumentDefinition, item_id: str) -> list[str]:
    scale = defn.scale_of(defn.item(item_id))
    keys = [str(v).lower() if isinstance(v, bool) else str(v) for v in scale.values]
    return keys + list(scale.codes)


def parse_content(document: Mapping[str, Any], source: str = "content") -> InstrumentContent:
    """Validate one instrument's texts against its definition (no I/O).

    Parameters
    ----------
    document : mapping
        The parsed JSON of one content file.
    source : str
        Name used in error messages (e.g. the file name).

    Returns
    -------
    InstrumentContent

    Raises
    ------
    ValidationFailure
        For an unknown instrument, item id or option key, naming the allowed values.
    """
    instrument = document.get("instrument")
    if instrument not in INSTRUMENT_IDS:
        raise ValidationFailure(
            f"{source}.instrument", f"unknown instrument {instrument!r}", INSTRUMENT_IDS
        )
    try:
        content = InstrumentContent.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ValidationFailure(f"{source}.{loc}", first["msg"]) from None
    defn = get_definition(content.instrument)
    for item_id, item in content.items.items():
        if item_id not in defn.item_ids:
            raise ValidationFailure(f"{source}.items.{item_id}", "unknown item id", defn.item_ids)
        allowed = _option_keys(defn, item_id)
        for key in item.options:
            if key not in allowed:
                raise ValidationFailure(
                    f"{source}.items.{item_id}.options.{key}", "unknown answer option", allowed
                )
    return content


def build_content_pack(documents: Iterable[tuple[str, Mapping[str, Any]]]) -> ContentPack:
    """Assemble a pack from ``(source name, parsed JSON)`` pairs (no I/O)."""
    instruments: dict[str, InstrumentContent] = {}
    for source, document in documents:
        content = parse_content(document, source)
        if content.instrument in instruments:
            raise ValidationFailure(
                f"{source}.instrument", f"{content.instrument!r} appears twice in the pack"
            )
        instruments[content.instrument] = content
    return ContentPack(instruments=instruments)


def load_content_pack(path: str | Path) -> ContentPack:
    """Read a content pack directory (one ``*.json`` file per instrument).

    Parameters
    ----------
    path : str or pathlib.Path
        Directory holding the JSON files.

    Returns
    -------
    ContentPack

    Raises
    ------
    ValidationFailure
        If the directory is missing, a file is not JSON, or a file does not match the
        instrument's definition.
    """
    root = Path(path)
    if not root.is_dir():
        raise ValidationFailure("content_pack", f"{root} is not a directory")
    documents: list[tuple[str, Mapping[str, Any]]] = []
    for file in sorted(root.glob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationFailure(file.name, f"not a readable JSON file: {exc}") from None
        if not isinstance(data, dict):
            raise ValidationFailure(file.name, "expected a JSON object")
        documents.append((file.name, data))
    return build_content_pack(documents)


def item_label(
    definition: InstrumentDefinition, item_id: str, pack: ContentPack | None = None
) -> str:
    """Text to show for an item: the pack's licensed text, else painmap's neutral label.

    Parameters
    ----------
    definition : InstrumentDefinition
        The instrument.
    item_id : str
        The item.
    pack : ContentPack, optional
        A loaded content pack.

    Returns
    -------
    str
    """
    item = definition.item(item_id)
    if pack is not None:
        text = pack.text(definition.id, item_id)
        if text is not None:
            return text.text
    return item.label


def option_label(
    definition: InstrumentDefinition,
    item_id: str,
    value: object,
    pack: ContentPack | None = None,
) -> str:
    """Text to show for an answer option: the pack's text, else the answer code."""
    scale = definition.scale_of(definition.item(item_id))
    if value not in scale.values or (isinstance(value, bool) != isinstance(scale.values[0], bool)):
        raise ValidationFailure(
            "value", f"{value!r} is not an answer of {item_id}", [str(v) for v in scale.values]
        )
    index = next(
        k
        for k, v in enumerate(scale.values)
        if v == value and isinstance(v, bool) == isinstance(value, bool)
    )
    code = scale.codes[index]
    if pack is not None:
        text = pack.text(definition.id, item_id)
        if text is not None:
            key = str(value).lower() if isinstance(value, bool) else str(value)
            found = text.options.get(key) or text.options.get(code)
            if found:
                return found
    return code.replace("_", " ")
