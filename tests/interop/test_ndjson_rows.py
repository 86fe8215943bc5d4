"""The import's fast path gives the models' rows, and the models still decide errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from painmap_synth import all_kinds_patient, cohort
from row_compare import canonical, model_rows

from painmap.interop import ndjson_import
from painmap.interop.ndjson import NdjsonLineError, dump_patient, parse_line
from painmap.interop.ndjson_import import import_ndjson, spans
from painmap.interop.ndjson_rows import fast_patient, prepare
from painmap.record.models import PainDrawingRecord
from painmap.store import Actor, open_store
from painmap.store.bulk import RECORD_COLUMNS

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from bench_store import synthetic_lines

ACTOR = Actor("test:rows", "admin")


def _numbered(texts: list[str]) -> list[tuple[int, bytes]]:
    return [(n, t.encode()) for n, t in enumerate(texts, start=1)]


def test_fast_rows_equal_the_models_rows() -> None:
    texts = [dump_patient(p) for p in [*cohort(40, seed=5), all_kinds_patient()]]
    texts += synthetic_lines(100, seed=4)  # JSON as written by other tools (spaces, ints)
    lines = _numbered(texts)
    done = prepare(lines)
    assert done.error_line is None
    assert done.fast == len(lines)  # every line of these took the fast path
    assert canonical(done.rows) == canonical(model_rows(lines))
    assert [pid for _, pid in done.ids] == [parse_line(r, n).id for n, r in lines]


def _variant(edit: Any) -> str:
    data = json.loads(dump_patient(all_kinds_patient()))
    edit(data)
    return json.dumps(data)


def _drawing(data: dict[str, Any]) -> dict[str, Any]:
    return next(r for e in data["encounters"] for r in e["records"] if r["kind"] == "pain_drawing")


def _set_points(data: dict[str, Any], points: list[Any]) -> None:
    _drawing(data)["strokes"] = [
        {"view": "back", "points": points, "width": 3, "intensity": 2, "quality": None}
    ]


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: _set_points(d, [[1, 2], [3.5, 4]]),  # integer points: made floats
        lambda d: _set_points(d, [[1e-7, 0.30000000000000004], [-0.0, 999.9999999999999]]),
        lambda d: _set_points(d, [["1.5", 2.0]]),  # a string the model coerces
        lambda d: _set_points(d, [[True, 2.0]]),  # so is a boolean
        lambda d: _drawing(d).update(marks=[{"id": "b_heel_l", "intensity": "7"}]),
        lambda d: d.update(birth_year=1950.0),
        lambda d: d["encounters"][0].update(date="2023-01-05T00:00:00"),
        lambda d: d["encounters"].reverse(),
    ],
)
def test_lines_the_fast_path_leaves_to_the_models_import_the_same(edit: Any) -> None:
    lines = _numbered([_variant(edit)])
    expected = model_rows(lines)  # the model accepts the line
    done = prepare(lines)
    assert done.error_line is None
    assert canonical(done.rows) == canonical(expected)


def test_payload_floats_are_the_models() -> None:
    points = [[1e-7, 0.30000000000000004], [123456.5e-3, 399.99999999999994], [0, 5e-324]]
    text = _variant(lambda d: _set_points(d, points))
    patient = fast_patient(text)
    assert patient is not None
    payloads = [r[1] for _, _, recs in patient[4] for r in recs if r[0] == "d"]
    models = [
        rec.model_dump_json()
        for enc in parse_line(text, 1).encounters
        for rec in enc.records
        if isinstance(rec, PainDrawingRecord)
    ]
    assert payloads == models


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: _set_points(d, [[1.0, 2.0], [float("nan"), 3.0]]),
        lambda d: _set_points(d, [[1.0, 2.0], [401.0, 3.0]]),
        lambda d: _set_points(d, [[1.0, 2.0, 3.0]]),
        lambda d: _set_points(d, []),
        lambda d: _drawing(d).update(marks=[{"id": "nowhere", "intensity": 3}]),
        lambda d: _drawing(d).update(
            marks=[{"id": "b_heel_l", "intensity": 3}, {"id": "b_heel_l", "intensity": 4}]
        ),
        lambda d: _drawing(d).update(marks=[{"id": "b_heel_l", "intensity": 10.5}]),
        lambda d: _drawing(d).update(marks=[{"id": "b_heel_l", "intensity": 1, "x": 1}]),
        lambda d: d["encounters"][0]["records"].append(
            {"kind": "instrument", "instrument": "odi", "answers": [6] + [0] * 9}
        ),
        lambda d: d.update(birth_year=2200),
        lambda d: d.update(sex="robot"),
        lambda d: d["encounters"].append(dict(d["encounters"][0])),
    ],
)
def test_invalid_lines_get_the_models_error(edit: Any) -> None:
    good = [dump_patient(p) for p in cohort(3, seed=7)]
    bad = _variant(edit)
    lines = _numbered([*good, bad, good[0]])
    assert fast_patient(bad) is None
    done = prepare(lines)
    assert done.error_line == 4
    assert [n for n, _ in done.ids] == [1, 2, 3]
    with pytest.raises(NdjsonLineError) as err:
        parse_line(bad.encode(), 4)
    assert str(err.value).startswith("line 4: ")


@pytest.mark.parametrize("workers", [0, 2])
def test_import_with_workers_reports_the_first_bad_line(tmp_path: Path, workers: int) -> None:
    good = [dump_patient(p) for p in cohort(700, seed=8)]  # several chunks
    bad = _variant(lambda d: _set_points(d, [[1.0, 2.0], [401.0, 3.0]]))
    path = tmp_path / "in.ndjson"
    # line 601 is bad, line 650 repeats an id: the bad line comes first and wins
    lines = [*good[:600], bad, *good[600:648], good[0], *good[648:]]
    path.write_text("\n".join(lines) + "\n")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url, create=True) as store:
        with pytest.raises(NdjsonLineError) as err:
            import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert err.value.line == 601
        with pytest.raises(NdjsonLineError) as expected:
            parse_line(bad, 601)
        assert str(err.value) == str(expected.value)
        assert store.count_patients() == 0
        lines[600] = good[0]  # now the first problem is the repeated id on line 601
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(NdjsonLineError, match="line 601: id: patient 'S0001' already"):
            import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert store.count_patients() == 0


def test_import_with_workers_stores_what_one_process_stores(tmp_path: Path) -> None:
    patients = [*cohort(600, seed=9), all_kinds_patient()]
    path = tmp_path / "in.ndjson"
    path.write_text("".join(dump_patient(p) + "\n" for p in patients))
    tables = []
    for workers in (0, 2):
        url = f"sqlite:///{tmp_path / f'db{workers}.sqlite'}"
        with open_store(url, create=True) as store:
            summary = import_ndjson(store, path, actor=ACTOR, workers=workers)
            assert summary.patients == len(patients)
            assert list(store.iter_patients()) == sorted(patients, key=lambda p: p.id)
            with store.engine.connect() as conn:
                tables.append(
                    [
                        sorted(conn.exec_driver_sql(f"SELECT * FROM {t}").all())
                        for t in ("patients", "encounters", "records")
                    ]
                    + [
                        conn.exec_driver_sql(
                            "SELECT typeof(payload), count(*) FROM records GROUP BY 1"
                        ).all()
                    ]
                )
    assert tables[0] == tables[1]
    assert tables[0][3] == [("text", len(tables[0][2]))]


CHILD = r"""
import sys
from painmap.interop import ndjson_import
from painmap.interop import ndjson_import
from painmap.interop.ndjson_import import import_ndjson, spans
from painmap.store import Actor, open_store

ndjson_import.CHUNK_BYTES = 100_000  # many chunks, so the kill lands mid-import
url, path = sys.argv[1:3]
store = open_store(url)
seen = [0]

def progress(n):
    seen[0] += 1
    if seen[0] == 10:
        print("reading", flush=True)

import_ndjson(store, path, actor=Actor("test:kill", "admin"), workers=2, on_line=progress)
print("committed", flush=True)
"""


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if text.encode() in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_import_leaves_no_workers_and_nothing_stored(tmp_path: Path) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text("".join(dump_patient(p) + "\n" for p in cohort(1500, seed=10)))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    open_store(url, create=True).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert line == "reading\n"  # killed in the middle of the import
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _processes_mentioning(str(path))
    for pid in left:  # do not leave them behind when the check fails
        os.kill(pid, signal.SIGKILL)
    assert left == []  # the workers ended with the importer
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM patients").fetchone() == (0,)


@pytest.mark.parametrize("size", [1, 5, 16, 17, 40, 10_000])
@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1}\n{"b":2}\n\n{"c":3}\n',
        b'{"a":1}\r\n  \r\n{"b":22222222222222222222}',  # CRLF, a blank line, no final end
        b"\n\n" + b'{"long":"' + b"x" * 60 + b'"}\n{"d":4}\n',
    ],
)
def test_spans_cover_the_file_in_whole_lines(tmp_path: Path, size: int, text: bytes) -> None:
    path = tmp_path / "in.ndjson"
    path.write_bytes(text)
    runs = list(spans(path, size))
    assert b"".join(text[o : o + n] for o, n in runs) == text  # contiguous, complete
    for o, n in runs[:-1]:
        assert text[o + n - 1 : o + n] == b"\n"  # each run but the last ends a line
    numbered, base = [], 0
    for o, n in runs:
        chunk = text[o : o + n].split(b"\n")
        if chunk[-1] == b"":
            chunk.pop()
        numbered += [(base + k, raw) for k, raw in enumerate(chunk, 1) if raw.strip()]
        base += len(chunk)
    with open(path, "rb") as fh:
        expected = [(k, raw.rstrip(b"\n")) for k, raw in enumerate(fh, 1) if raw.strip()]
    assert numbered == expected


@pytest.mark.parametrize("workers", [0, 2])
def test_small_chunks_keep_file_line_numbers(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ndjson_import, "CHUNK_BYTES", 5_000)
    good = [dump_patient(p) for p in cohort(60, seed=11)]
    bad = _variant(lambda d: d.update(sex="robot"))
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join([*good[:20], "", *good[20:47], bad, *good[47:]]) + "\n")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url, create=True) as store:
        with pytest.raises(NdjsonLineError) as err:
            import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert err.value.line == 49  # 20 lines, a blank one, 27 lines, then the bad one
        path.write_text("\n".join([*good[:20], "", *good[20:]]) + "\n")
        summary = import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert summary.patients == 60
        assert sorted(summary.lines.values()) == [*range(1, 21), *range(22, 62)]


def test_rows_per_insert_does_not_change_what_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from painmap.store import bulk

    patients = [*cohort(45, seed=12), all_kinds_patient()]
    tables = []
    for per in (1, 7, 128):
        monkeypatch.setattr(bulk, "ROWS_PER_INSERT", per)
        with open_store(f"sqlite:///{tmp_path / f'db{per}.sqlite'}", create=True) as store:
            store.add_patients(patients, actor=ACTOR)
            with store.engine.connect() as conn:
                tables.append(
                    [
                        conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1, 2, 3").all()
                        for t in ("patients", "encounters", "records")
                    ]
                )
    assert tables[0] == tables[1] == tables[2]
    assert len(tables[0][2]) > 128  # several full statements and a remainder


def test_bulk_rows_equal_the_one_by_one_rows(tmp_path: Path) -> None:
    """The bulk builder (scored shortcuts, typed rows) against ``add_patient``'s rows."""
    texts = [dump_patient(p) for p in [*cohort(30, seed=13), all_kinds_patient()]]
    texts += synthetic_lines(40, seed=6)  # ODI and PCS (with subscales) in every visit
    lines = _numbered(texts)
    tables = []
    for name in ("bulk", "one"):
        with open_store(f"sqlite:///{tmp_path / name}.sqlite", create=True) as store:
            if name == "bulk":
                store.add_row_batches([prepare(lines).rows], actor=ACTOR)
            else:
                for n, raw in lines:
                    store.add_patient(parse_line(raw, n), actor=ACTOR)
            with store.engine.connect() as conn:
                tables.append(
                    [
                        conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1, 2, 3").all()
                        for t in ("patients", "encounters", "records")
                    ]
                )
    assert tables[0] == tables[1]
    at = RECORD_COLUMNS.index("subscales")
    assert any(row[at] is not None for row in tables[0][2])  # subscales were stored


@pytest.mark.parametrize("workers", [0, 2])
def test_existing_patients_are_all_counted_and_nothing_is_written(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ndjson_import, "CHUNK_BYTES", 5_000)  # many chunks
    patients = cohort(80, seed=14)
    texts = [dump_patient(p) for p in patients]
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join(texts) + "\n")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url, create=True) as store:
        store.add_patients([patients[i] for i in (9, 40, 77)], actor=ACTOR)
        with store.engine.connect() as conn:
            before = conn.exec_driver_sql("SELECT count(*) FROM records").scalar()
        with pytest.raises(ndjson_import.ExistingPatients) as err:
            import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert (err.value.line, err.value.patient_id, err.value.count) == (10, patients[9].id, 3)
        assert store.count_patients() == 3
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == before
        # an invalid line after the clashes is still found, and reported instead
        bad = _variant(lambda d: d.update(sex="robot"))
        path.write_text("\n".join([*texts[:60], bad, *texts[60:]]) + "\n")
        with pytest.raises(NdjsonLineError) as line_err:
            import_ndjson(store, path, actor=ACTOR, workers=workers)
        assert line_err.value.line == 61
        assert store.count_patients() == 3


def test_a_disagreement_of_the_two_validations_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the fast path ever rejected a line the models accept: an error, nothing stored."""
    from painmap.interop import ndjson_rows

    texts = [dump_patient(p) for p in cohort(5, seed=15)]
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join(texts) + "\n")
    wrong = ndjson_rows.parse_line

    def reject_line_3(raw: bytes, n: int) -> Any:
        if n == 3:
            raise NdjsonLineError(n, ValueError("simulated"))
        return wrong(raw, n)

    monkeypatch.setattr(ndjson_rows, "fast_patient", lambda raw: None)
    monkeypatch.setattr(ndjson_rows, "parse_line", reject_line_3)
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", create=True) as store:
        with pytest.raises(ndjson_import.ImportInconsistency, match="line 3: rejected"):
            import_ndjson(store, path, actor=ACTOR, workers=0)
        assert store.count_patients() == 0
