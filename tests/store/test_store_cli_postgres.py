"""The record commands against PostgreSQL: same bytes as SQLite, and backup guidance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from painmap_synth import all_kinds_patient, cohort

from painmap.cli import main
from painmap.commands import _common
from painmap.store import open_store

pytestmark = pytest.mark.postgres


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_postgres_export_equals_sqlite_export(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pg_url: str,
    sqlite_url: str,
) -> None:
    monkeypatch.setattr(_common.err_console, "width", 300)
    src = tmp_path / "in.ndjson"
    patients = [*cohort(40, seed=31), all_kinds_patient()]
    src.write_text("".join(p.model_dump_json() + "\n" for p in patients))
    outputs = {}
    for name, url in (("pg", pg_url), ("sqlite", sqlite_url)):
        code, _, err = run(capsys, "import", str(src), "--database", url)
        assert code == 0, err
        for fmt in ("ndjson", "csv", "parquet"):
            out = tmp_path / f"{name}.{fmt}"
            code, _, err = run(capsys, "export", "-f", fmt, "-o", str(out), "--database", url)
            assert code == 0, err
            outputs[name, fmt] = out.read_bytes()
    for fmt in ("ndjson", "csv", "parquet"):
        assert outputs["pg", fmt] == outputs["sqlite", fmt], fmt

    code, out, _ = run(capsys, "patient", "show", "ALL0001", "--json", "--database", pg_url)
    assert code == 0 and json.loads(out)["scores"][0]["instrument"] == "odi"

    bad = tmp_path / "bad.ndjson"
    data = json.loads(all_kinds_patient("NEW0001").model_dump_json())
    data["encounters"][0]["records"][1]["answers"][0] = 11
    bad.write_text(src.read_text().replace("S0001", "Z0001") + json.dumps(data) + "\n")
    with open_store(pg_url) as store:
        before = store.count_records()
    code, _, err = run(capsys, "import", str(bad), "--database", pg_url)
    assert code == 1 and f"line {len(patients) + 1}: encounters.0.records.1" in err
    with open_store(pg_url) as store:
        assert store.count_records() == before


def test_backup_on_postgres_prints_pg_dump_guidance(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pg_url: str
) -> None:
    run(capsys, "init", "--database", pg_url)
    code, _, err = run(capsys, "backup", str(tmp_path / "x.dump"), "--database", pg_url)
    assert code == 3
    assert "pg_dump --format=custom" in err and "pg_restore" in err
    assert not (tmp_path / "x.dump").exists()
