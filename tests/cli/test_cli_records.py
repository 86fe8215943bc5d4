"""The record commands end to end: init, import, export, patient list/show, backup."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from painmap_synth import all_kinds_patient, cohort

from painmap.cli import main
from painmap.interop.ndjson import dump_patient
from painmap.record.models import Patient
from painmap.store import open_store

PAINMAP = Path(sys.executable).with_name("painmap")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write(path: Path, patients: list[Patient], extra: list[str] | None = None) -> Path:
    lines = [dump_patient(p) for p in patients] + (extra or [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(url: str) -> tuple[int, int, int]:
    with open_store(url) as s:
        return s.count_patients(), s.count_encounters(), s.count_records()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_init_import_list_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    code, out, _ = run(capsys, "init", "--database", url)
    assert code == 0 and "database ready" in out and "0 patients" in out
    patients = [*cohort(12, seed=1), all_kinds_patient()]
    src = write(tmp_path / "in.ndjson", patients)
    code, out, _ = run(capsys, "import", str(src), "--database", url)
    assert code == 0 and "imported 13 patients" in out
    code, out, _ = run(capsys, "patient", "list", "--database", url, "--limit", "5")
    assert code == 0 and "S0001" in out and "S0006" not in out and "of 13" in out
    code, out, _ = run(capsys, "patient", "list", "--database", url, "--json", "-s", "ALL")
    assert [r["id"] for r in json.loads(out)] == ["ALL0001"]
    code, out, _ = run(capsys, "patient", "show", "ALL0001", "--database", url)
    assert code == 0
    for text in (
        "patient ALL0001",
        "born 1971",
        "chronic",
        "pain_drawing",
        "odi 42/100 (severe)",
        "electrodiagnostic",
        "% relief",
        "treatment",
    ):
        assert text in out, text
    code, out, _ = run(capsys, "patient", "show", "ALL0001", "--json", "--database", url)
    shown = json.loads(out)
    assert Patient.model_validate(shown["patient"]) == all_kinds_patient()
    assert shown["scores"][0]["instrument"] == "odi"
    assert shown["scores"][0]["score"] == pytest.approx(42.0)
    assert shown["derived"]["chronic"] is True
    (drawing,) = shown["drawings"]
    assert drawing["position"] == 0 and 0 < drawing["extent_fraction"] <= 1
    code, _, err = run(capsys, "patient", "show", "NOPE", "--database", url)
    assert code == 1 and "no patient" in err


def test_commands_need_an_initialised_database(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    for args in (["patient", "list"], ["export"], ["backup", "x.db"], ["patient", "show", "a"]):
        code, _, err = run(capsys, *args, "--database", url)
        assert code == 1 and "painmap init" in err


BAD_LINES = {
    "nrs_11": (
        lambda d: d["encounters"][0]["records"].append(
            {"kind": "instrument", "instrument": "nrs", "answers": [11]}
        ),
        ["encounters.0.records.7", "answers", "allowed"],
    ),
    "unknown_kind": (
        lambda d: d["encounters"][0]["records"][2].update(kind="scan"),
        ["encounters.0.records.2", "'exam'", "'imaging'"],
    ),
    "bad_date": (
        lambda d: d["encounters"][0].update(date="2023-13-45"),
        ["encounters.0.date", "YYYY-MM-DD"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_bad_last_line_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, case: str
) -> None:
    run(capsys, "init", "--database", url)
    run(
        capsys, "import", str(write(tmp_path / "base.ndjson", cohort(5, seed=3))), "--database", url
    )
    before = counts(url)
    mutate, expected = BAD_LINES[case]
    data = json.loads(dump_patient(all_kinds_patient()))
    mutate(data)
    src = write(tmp_path / "bad.ndjson", cohort(40, seed=4, prefix="B"), [json.dumps(data)])
    code, _, err = run(capsys, "import", str(src), "--database", url)
    assert code == 1
    assert "line 41:" in err
    for text in expected:
        assert text in err, (text, err)
    assert "nothing was imported" in err
    assert counts(url) == before


def test_duplicate_against_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    run(capsys, "import", str(write(tmp_path / "a.ndjson", cohort(3, seed=1))), "--database", url)
    before = counts(url)
    src = write(tmp_path / "b.ndjson", [*cohort(2, seed=2, prefix="N"), cohort(3, seed=1)[2]])
    code, _, err = run(capsys, "import", str(src), "--database", url)
    assert code == 1 and "line 3: id: patient 'S0003' already exists" in err
    assert counts(url) == before
    code, _, err = run(capsys, "import", str(tmp_path / "missing.ndjson"), "--database", url)
    assert code != 0 and "no such file" in err


def _export_all(
    capsys: pytest.CaptureFixture[str],
    url: str,
    out: Path,
    formats: tuple[str, ...] = ("ndjson", "csv", "parquet"),
) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    got = {}
    for fmt in formats:
        target = out / f"export.{fmt}"
        code, _, err = run(
            capsys, "export", "--format", fmt, "--out", str(target), "--database", url
        )
        assert code == 0, err
        got[fmt] = target.read_bytes()
    return got


def _round_trip(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    url: str,
    formats: tuple[str, ...] = ("ndjson", "csv", "parquet"),
) -> None:
    first = _export_all(capsys, url, tmp_path / "one", formats)
    url2 = f"sqlite:///{tmp_path / 'two.db'}"
    code, _, err = run(
        capsys, "import", str(tmp_path / "one" / "export.ndjson"), "--database", url2
    )
    assert code == 0, err
    second = _export_all(capsys, url2, tmp_path / "two", formats)
    for fmt in first:
        assert first[fmt] == second[fmt], fmt
    assert counts(url) == counts(url2)


def test_round_trip_synthetic_cohort_is_byte_identical(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    src = write(tmp_path / "in.ndjson", [*cohort(60, seed=10), all_kinds_patient()])
    run(capsys, "import", str(src), "--database", url)
    _round_trip(capsys, tmp_path, url)
    exported = (tmp_path / "one" / "export.ndjson").read_text().splitlines()
    assert exported == sorted(src.read_text().splitlines(), key=lambda s: json.loads(s)["id"])


def test_round_trip_demo_cohort_of_200_is_byte_identical(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    code, _, err = run(capsys, "demo", "--patients", "200", "--seed", "5", "--database", url)
    assert code == 0, err
    assert counts(url)[0] == 200
    _round_trip(capsys, tmp_path, url, ("ndjson", "csv"))


def test_export_to_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str) -> None:
    run(capsys, "import", str(write(tmp_path / "a.ndjson", cohort(4, seed=1))), "--database", url)
    code, out, _ = run(capsys, "export", "--database", url)
    assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == [
        "S0001",
        "S0002",
        "S0003",
        "S0004",
    ]
    code, out, _ = run(capsys, "export", "-f", "csv", "--database", url)
    assert out.startswith("record_id,redcap_event_name,")
    code, _, err = run(capsys, "export", "-f", "parquet", "--database", url)
    assert code != 0 and "parquet needs a file" in err


def test_backup(capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str) -> None:
    run(capsys, "import", str(write(tmp_path / "a.ndjson", cohort(6, seed=1))), "--database", url)
    target = tmp_path / "b" / "copy.db"
    code, out, _ = run(capsys, "backup", str(target), "--database", url)
    assert code == 0 and "6 patients" in out and "integrity check ok" in out
    assert counts(f"sqlite:///{target}") == counts(url)
    code, _, err = run(capsys, "backup", str(target), "--database", url)
    assert code == 1 and "already exists" in err


def test_installed_command_reports_bad_input_without_traceback(tmp_path: Path, url: str) -> None:
    data = json.loads(dump_patient(all_kinds_patient()))
    data["encounters"][0]["records"][1]["answers"][0] = 11
    src = write(tmp_path / "bad.ndjson", cohort(2, seed=1), [json.dumps(data)])
    proc = subprocess.run(
        [str(PAINMAP), "import", str(src), "--database", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "line 3: encounters.0.records.1" in proc.stderr
