"""NDJSON lines, their JSON Schema, and line-numbered validation errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from painmap_synth import all_kinds_patient, cohort

from painmap.interop.ndjson import (
    NdjsonLineError,
    dump_patient,
    parse_line,
    patient_json_schema,
    read_ndjson,
    schema_text,
    validate_file,
    write_ndjson,
)
from painmap.record.models import RECORD_KINDS

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schema" / "patient.schema.json"


def test_published_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        'regenerate with: python -c "from painmap.interop.ndjson import write_schema; '
        "write_schema('docs/schema/patient.schema.json')\""
    )


def test_schema_describes_every_record_kind() -> None:
    schema = patient_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    text = json.dumps(schema)
    for kind in RECORD_KINDS:
        assert f'"const": "{kind}"' in text
    assert set(schema["required"]) >= {"id", "birth_year", "sex"}


def test_lines_round_trip_byte_identical() -> None:
    patients = [*cohort(20, seed=1), all_kinds_patient()]
    buf = io.StringIO()
    assert write_ndjson(patients, buf) == len(patients)
    lines = buf.getvalue().splitlines()
    again = [parse_line(line, i) for i, line in enumerate(lines, 1)]
    assert again == patients
    assert [dump_patient(p) for p in again] == lines


def _line_with(patient_json: str, tmp_path: Path, lines_before: int = 3) -> Path:
    good = [dump_patient(p) for p in cohort(lines_before, seed=2)]
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join([*good, patient_json]) + "\n")
    return path


def _bad_nrs() -> str:
    data = json.loads(dump_patient(all_kinds_patient()))
    data["encounters"][0]["records"].append(
        {"kind": "instrument", "instrument": "nrs", "answers": [11]}
    )
    return json.dumps(data)


def test_nrs_of_11_names_line_and_field(tmp_path: Path) -> None:
    path = _line_with(_bad_nrs(), tmp_path)
    with pytest.raises(NdjsonLineError) as err:
        validate_file(path)
    assert err.value.line == 4
    text = str(err.value)
    assert text.startswith("line 4: encounters.0.records.7")
    assert "answers" in text and "allowed" in text and "10" in text


def test_unknown_kind_names_allowed_kinds(tmp_path: Path) -> None:
    data = json.loads(dump_patient(all_kinds_patient()))
    data["encounters"][0]["records"][0]["kind"] = "xray_dream"
    path = _line_with(json.dumps(data), tmp_path, lines_before=1)
    with pytest.raises(NdjsonLineError) as err:
        validate_file(path)
    assert err.value.line == 2
    assert "encounters.0.records.0" in str(err.value)
    assert "'pain_drawing'" in str(err.value) and "'treatment'" in str(err.value)


def test_bad_date_names_the_field(tmp_path: Path) -> None:
    data = json.loads(dump_patient(all_kinds_patient()))
    data["encounters"][0]["date"] = "02/05/2023"
    path = _line_with(json.dumps(data), tmp_path)
    with pytest.raises(NdjsonLineError, match=r"line 4: encounters\.0\.date"):
        validate_file(path)


def test_duplicate_ids_in_a_file_name_both_lines(tmp_path: Path) -> None:
    p = dump_patient(cohort(1, seed=2)[0])
    path = _line_with(p, tmp_path)
    with pytest.raises(
        NdjsonLineError, match="line 4: id: patient 'S0001' already appears on line 1"
    ):
        validate_file(path)


def test_not_json_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    good = dump_patient(cohort(1, seed=2)[0])
    path.write_text(f"\n{good}\n\n{{not json\n")
    with pytest.raises(NdjsonLineError, match="line 4"):
        validate_file(path)
    path.write_text(f"\n{good}\n\n")
    summary = validate_file(path)
    assert summary.patients == 1 and summary.lines == {"S0001": 2}
    assert [p.id for p in read_ndjson(path)] == ["S0001"]


def test_validate_file_counts_and_keeps_small_files(tmp_path: Path) -> None:
    patients = cohort(10, seed=3)
    path = tmp_path / "c.ndjson"
    path.write_text("".join(dump_patient(p) + "\n" for p in patients))
    summary = validate_file(path)
    assert summary.patients == 10
    assert summary.encounters == sum(len(p.encounters) for p in patients)
    assert summary.kept == patients
    assert validate_file(path, keep_up_to=5).kept is None
