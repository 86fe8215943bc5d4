"""Content packs: licensed item texts loaded for display, neutral labels otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from painmap.core.errors import ValidationFailure
from painmap.instruments import (
    definitions,
    get_definition,
    item_label,
    load_content_pack,
    option_label,
)


def _write(path: Path, name: str, data: object) -> None:
    path.joinpath(name).write_text(json.dumps(data), encoding="utf-8")


def test_labels_without_pack_are_neutral_and_unique() -> None:
    for d in definitions():
        labels = [item_label(d, i.id) for i in d.items]
        assert all(labels) and len(set(labels)) == len(labels)


def test_pack_texts_are_used(tmp_path: Path) -> None:
    _write(tmp_path, "odi.json", {
        "instrument": "odi", "copyright": "site licence",
        "items": {"odi_1": {"text": "SYNTHETIC TEXT 1", "options": {"0": "opt zero",
                                                                   "statement_2": "opt one"}}},
    })
    _write(tmp_path, "paindetect.json", {
        "instrument": "paindetect",
        "items": {"paindetect_radiating": {"text": "SYNTHETIC radiating",
                                           "options": {"true": "yes!"}}},
    })
    pack = load_content_pack(tmp_path)
    odi = get_definition("odi")
    assert item_label(odi, "odi_1", pack) == "SYNTHETIC TEXT 1"
    assert item_label(odi, "odi_2", pack) == odi.items[1].label  # not in pack: fallback
    assert option_label(odi, "odi_1", 0, pack) == "opt zero"
    assert option_label(odi, "odi_1", 1, pack) == "opt one"
    assert option_label(odi, "odi_1", 2, pack) == "statement 3"
    pd = get_definition("paindetect")
    assert option_label(pd, "paindetect_radiating", True, pack) == "yes!"
    assert option_label(pd, "paindetect_radiating", False, pack) == "no"
    with pytest.raises(ValidationFailure):
        option_label(odi, "odi_1", 9, pack)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"instrument": "odx", "items": {}}, "bad.json.instrument"),
        ({"instrument": "odi", "items": {"odi_11": {"text": "x"}}}, "bad.json.items.odi_11"),
        ({"instrument": "odi", "items": {"odi_1": {"text": "x", "options": {"6": "y"}}}},
         "bad.json.items.odi_1.options.6"),
        ({"instrument": "odi", "items": {"odi_1": {"text": ""}}}, "bad.json.items.odi_1.text"),
    ],
)
def test_bad_pack_rejected(tmp_path: Path, data: object, field: str) -> None:
    _write(tmp_path, "bad.json", data)
    with pytest.raises(ValidationFailure) as info:
        load_content_pack(tmp_path)
    assert info.value.field == field


def test_bad_pack_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailure):
        load_content_pack(tmp_path / "missing")
    tmp_path.joinpath("x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationFailure, match=r"x\.json"):
        load_content_pack(tmp_path)
    tmp_path.joinpath("x.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(ValidationFailure, match=r"x\.json"):
        load_content_pack(tmp_path)
    _write(tmp_path, "x.json", {"instrument": "odi", "items": {}})
    _write(tmp_path, "y.json", {"instrument": "odi", "items": {}})
    with pytest.raises(ValidationFailure, match="twice"):
        load_content_pack(tmp_path)


def test_no_item_text_shipped_for_licensed_instruments() -> None:
    for iid in ("odi", "pcs", "promis_pi_4a", "paindetect", "startback", "rmdq", "csi", "tsk17"):
        d = get_definition(iid)
        assert not d.licence.item_text_shipped
        assert "content pack" in d.licence.text
        assert all(len(i.label) < 60 for i in d.items)
