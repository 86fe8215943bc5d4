"""The compiled fast path against the models, on random lines of every record kind.

For each random line (valid or not, with optional fields present or absent, notes with
escapes and non-ASCII text, integer and float numbers), the import's rows must be the
rows the models give, payload bytes included, or, when the models reject the line, the
line must be reported as invalid. Most lines must take the fast path.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from row_compare import canonical, model_rows

from painmap.core.enums import (
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
from painmap.interop.ndjson import NdjsonLineError
from painmap.interop.ndjson_rows import fast_patient, prepare

NOTES = ["", "ok", 'quote " and \\ backslash', "tab\tnew\nline", "Schmerz \u00fc \u2028 \U0001f600"]


def _pick(rng: random.Random, enum: Any, optional: bool = True) -> Any:
    if optional and rng.random() < 0.4:
        return None
    return rng.choice([m.value for m in enum])


def _score(rng: random.Random) -> Any:
    return rng.choice([0, 3, 10, 7.5, 0.25, -0.0])


def _optional(rng: random.Random, rec: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Add each field whose value is not None, about half of them."""
    for name, value in fields.items():
        if value is not None and rng.random() < 0.6:
            rec[name] = value
    return rec


def _record(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(["exam", "imaging", "electrodiagnostic", "block", "treatment", "drawing"])
    note = rng.choice(NOTES)
    if kind == "exam":
        rec = {"kind": "exam", "test": rng.choice(["slr", "fabere", "prone_instability"])}
        rec["result"] = _pick(rng, FindingResult, optional=False)
        return _optional(
            rng, rec, level=_pick(rng, SpinalLevel), root=_pick(rng, Root),
            side=_pick(rng, Side), note=note,
        )
    if kind == "imaging":
        rec = {"kind": "imaging", "finding": _pick(rng, ImagingFinding, optional=False)}
        rec["level"] = _pick(rng, SpinalLevel, optional=False)
        return _optional(
            rng, rec, modality=_pick(rng, Modality), side=_pick(rng, Side),
            root=_pick(rng, Root), note=note,
        )
    if kind == "electrodiagnostic":
        rec = {"kind": "electrodiagnostic", "test": _pick(rng, ElectroTest, optional=False)}
        rec["target"] = rng.choice(["tibialis_anterior", "peroneal"])
        rec["finding"] = _pick(rng, ElectroFinding, optional=False)
        return _optional(rng, rec, root=_pick(rng, Root), side=_pick(rng, Side), note=note)
    if kind == "block":
        rec = {"kind": "block", "type": _pick(rng, BlockType, optional=False)}
        rec["pre_pain"], rec["post_pain"] = _score(rng), _score(rng)
        levels = rng.sample([m.value for m in SpinalLevel], rng.randint(0, 2))
        return _optional(
            rng, rec, levels=levels, root=_pick(rng, Root), side=_pick(rng, Side),
            anaesthetic=rng.choice(["bupivacaine", "lidocaine"]),
            design=_pick(rng, BlockDesign), concordant_duration=rng.choice([True, False]),
            note=note,
        )
    if kind == "treatment":
        rec = {"kind": "treatment", "type": _pick(rng, TreatmentType, optional=False)}
        rec["start"] = "2023-03-01"
        return _optional(
            rng, rec, target=_pick(rng, Structure), level=_pick(rng, SpinalLevel),
            root=_pick(rng, Root), side=_pick(rng, Side),
            end=rng.choice(["2023-04-01", "2023-03-01"]), note=note,
        )
    return {
        "kind": "pain_drawing",
        "marks": [{"id": "b_heel_l", "intensity": _score(rng), "qualities": ["aching"]}],
        "strokes": [
            {"view": rng.choice(["front", "back"]), "points": [[1, 2.5], [399.5, 1000]],
             "width": rng.choice([1, 2.5]), "intensity": _score(rng)}
        ],
    }


# Small edits, each of which the models reject (or, for some, accept by coercion).
BREAKS: list[tuple[str, Any]] = [
    ("end before start", lambda r: r.update(kind="treatment", type="physiotherapy",
                                            start="2023-03-01", end="2023-02-01")),
    ("note too long", lambda r: r.update(note="x" * 2001)),
    ("unknown enum", lambda r: r.update(side="middle")),
    ("unknown key", lambda r: r.update(colour="red")),
    ("score as text", lambda r: r.update(kind="block", type="medial_branch",
                                         pre_pain="7", post_pain=2)),
    ("score out of range", lambda r: r.update(kind="block", type="medial_branch",
                                              pre_pain=11, post_pain=2)),
    ("boolean as number", lambda r: r.update(kind="block", type="medial_branch", pre_pain=5,
                                             post_pain=2, concordant_duration=1)),
    ("date with time", lambda r: r.update(kind="treatment", type="physiotherapy",
                                          start="2023-03-01T00:00:00")),
    ("slug with capital", lambda r: r.update(kind="exam", test="SLR", result="positive")),
]


def _line(rng: random.Random, n: int, broken: Any = None) -> str:
    records = [_record(rng) for _ in range(rng.randint(1, 6))]
    if broken is not None:
        broken(records[0])
    patient = {
        "id": f"W{n:05d}",
        "birth_year": 1960,
        "sex": "male",
        "encounters": [{"id": "v1", "date": "2023-03-02", "records": records}],
    }
    return json.dumps(patient, ensure_ascii=rng.random() < 0.5)


@pytest.mark.parametrize("seed", range(6))
def test_random_valid_lines_give_the_models_rows(seed: int) -> None:
    rng = random.Random(seed)
    lines = [(n, _line(rng, n).encode()) for n in range(1, 81)]
    done = prepare(lines)
    assert done.error_line is None
    assert done.fast == len(lines)
    assert canonical(done.rows) == canonical(model_rows(lines))


@pytest.mark.parametrize(("name", "edit"), BREAKS, ids=[name for name, _ in BREAKS])
def test_edited_lines_import_exactly_as_the_models_decide(name: str, edit: Any) -> None:
    rng = random.Random(hash(name) % 1000)
    text = _line(rng, 1, broken=edit)
    lines = [(1, text.encode())]
    try:
        expected = model_rows(lines)
    except NdjsonLineError:
        assert fast_patient(text) is None
        assert prepare(lines).error_line == 1
        return
    done = prepare(lines)  # the models accept it (by coercion): the same rows
    assert done.error_line is None
    assert canonical(done.rows) == canonical(expected)


def test_an_identifier_ending_in_a_newline_is_rejected() -> None:
    text = json.dumps({"id": "P1\n", "birth_year": 1960, "sex": "male"})
    assert fast_patient(text) is None
    assert prepare([(1, text.encode())]).error_line == 1


@pytest.mark.parametrize(
    "text",
    [
        '{"id":"D1","birth_year":1960,"sex":"female","sex":"male"}',
        '{"id":"D1","birth_year":1960,"sex":"male","sex":"robot"}',
        '{"id":"D1","birth_year":1960,"sex":"robot","sex":"male"}',
        '{"id":"D1","birth_year":1960,"sex":"male","encounters":[{"id":"v1","date":"2020-01-01",'
        '"records":[{"kind":"instrument","instrument":"nrs","answers":[3],"answers":[7]}]}]}',
        '{"id":"D1","birth_year":1960,"sex":"male","encounters":[{"id":"v1","date":"2020-01-01",'
        '"records":[{"kind":"exam","test":"slr","result":"positive","kind":"exam"}]}]}',
    ],
)
def test_repeated_keys_are_read_as_the_models_read_them(text: str) -> None:
    lines = [(1, text.encode())]
    try:
        expected = model_rows(lines)
    except NdjsonLineError:
        assert prepare(lines).error_line == 1
        return
    done = prepare(lines)
    assert done.error_line is None
    assert canonical(done.rows) == canonical(expected)
