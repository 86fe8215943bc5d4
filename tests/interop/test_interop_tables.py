"""CSV (long, REDCap-like) and Parquet exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
from painmap_synth import all_kinds_patient, cohort

from painmap.instruments import score
from painmap.interop.csv_export import COLUMNS, patient_rows, write_csv
from painmap.interop.parquet_export import SCHEMA, write_parquet
from painmap.record.models import InstrumentRecord, PainDrawingRecord


def _csv(patients: list) -> list[dict[str, str]]:  # type: ignore[type-arg]
    buf = io.StringIO(newline="")
    write_csv(patients, buf)
    return list(csv.DictReader(io.StringIO(buf.getvalue())))


def test_csv_has_redcap_like_columns() -> None:
    buf = io.StringIO(newline="")
    write_csv([], buf)
    assert buf.getvalue().strip().split(",") == list(COLUMNS)
    assert COLUMNS[:5] == (
        "record_id",
        "redcap_event_name",
        "event_date",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
    )


def test_csv_long_rows_of_one_patient() -> None:
    p = all_kinds_patient()
    rows = _csv([p])
    assert {r["record_id"] for r in rows} == {p.id}
    patient_fields = {r["field_name"]: r["value"] for r in rows if r["record_kind"] == "patient"}
    assert patient_fields == {"birth_year": "1971", "sex": "female", "pain_onset": "2022-01-15"}
    odi = [r for r in rows if r["redcap_repeat_instrument"] == "odi"]
    answers = [r["value"] for r in odi if r["field_name"].startswith("answers.")]
    assert answers == ["1", "2", "3", "0", "1", "2", "3", "4", "5", "0"]
    derived = {r["field_name"]: r["value"] for r in odi if r["value_source"] == "derived"}
    rec = p.encounters[0].records[1]
    assert isinstance(rec, InstrumentRecord)
    assert float(derived["score"]) == score("odi", rec.answers).score
    assert {r["redcap_event_name"] for r in odi} == {"v1"}
    assert {r["event_date"] for r in odi} == {"2023-05-02"}
    assert {r["redcap_repeat_instance"] for r in odi} == {"1"}
    drawing = p.encounters[0].records[0]
    assert isinstance(drawing, PainDrawingRecord)
    draw_rows = [r for r in rows if r["record_kind"] == "pain_drawing"]
    for i in range(len(drawing.strokes)):
        (pts,) = [r["value"] for r in draw_rows if r["field_name"] == f"strokes.{i}.points"]
        assert pts.startswith("[[")


def test_csv_repeat_instances_count_within_an_encounter() -> None:
    patients = cohort(40, seed=5)
    for p in patients:
        for enc in p.encounters:
            instances: dict[str, set[str]] = {}
            for r in patient_rows(p):
                if r[1] == enc.id and r[3]:
                    instances.setdefault(r[3], set()).add(r[4])
            for inst, seen in instances.items():
                assert seen == {str(i) for i in range(1, len(seen) + 1)}, inst


def test_csv_is_deterministic() -> None:
    patients = cohort(15, seed=6)
    assert _csv(patients) == _csv([p.model_copy() for p in patients])


def test_parquet_one_row_per_record(tmp_path: Path) -> None:
    patients = [*cohort(25, seed=7), all_kinds_patient()]
    out = tmp_path / "x.parquet"
    assert write_parquet(patients, out, batch=10) == len(patients)
    table = pq.read_table(out)
    assert table.schema.equals(SCHEMA)
    expected = sum(max(len(e.records), 1) for p in patients for e in p.encounters) + sum(
        1 for p in patients if not p.encounters
    )
    assert table.num_rows == expected
    rows = table.to_pylist()
    odi = [r for r in rows if r["instrument"] == "odi" and r["patient_id"] == "ALL0001"]
    assert odi and odi[0]["score"] is not None and odi[0]["kind"] == "instrument"
    again = tmp_path / "y.parquet"
    write_parquet(patients, again, batch=10)
    assert out.read_bytes() == again.read_bytes()


def test_parquet_empty(tmp_path: Path) -> None:
    out = tmp_path / "e.parquet"
    assert write_parquet([], out) == 0
    assert pq.read_table(out).num_rows == 0
