"""``painmap neuro run ... group --links``: pain for imaging sessions from the clinical record."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from cli_helpers import run_captured as _run
from painmap.core.enums import Sex
from painmap.neuro.bidsio import discover
from painmap.neuro.recordlink import read_links
from painmap.neuro.runner import run_participants
from painmap.record import Encounter, InstrumentRecord, Patient
from painmap.store import Actor, open_store

BASE, LATER = date(2026, 1, 10), date(2026, 7, 1)



def _patients_of(bids: Path) -> list[str]:
    with (bids / "participants.tsv").open() as fh:
        return [r["participant_id"] for r in csv.DictReader(fh, delimiter="\t")
                if r["group"] == "patient"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    return path


@pytest.fixture(scope="module")
def linked(small_cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """Participant outputs, a store with one record patient per imaging patient, links."""
    tmp = tmp_path_factory.mktemp("links")
    out = tmp / "out"
    run_participants(discover(small_cohort), out, workers=1)
    url = f"sqlite:///{tmp / 'painmap.db'}"
    subjects = _patients_of(small_cohort)
    records = [
        Patient(
            id=f"rec-{k}", birth_year=1970, sex=Sex.FEMALE,
            encounters=[
                Encounter(id="e1", date=BASE, records=[
                    InstrumentRecord(instrument="nrs", answers=[8]),
                    InstrumentRecord(instrument="odi", answers=[3] * 10)]),
                Encounter(id="e2", date=LATER, records=[
                    InstrumentRecord(instrument="nrs", answers=[8 - 2 * k]),
                    InstrumentRecord(instrument="odi", answers=[3 - k] * 10)]),
            ],
        )
        for k in range(len(subjects))
    ]
    with open_store(url, create=True) as store:
        store.add_patients(records, actor=Actor("test", "admin"))
    rows = [["participant_id", "session", "patient_id", "scan_date"]]
    for k, sub in enumerate(subjects):
        rows.append([sub, "ses-01", f"rec-{k}", "2026-01-12"])
        rows.append([sub, "02", f"rec-{k}", "2026-07-03"])
    return out, url, _write(tmp / "links.tsv", rows)


def test_group_pain_from_the_record(
    small_cohort: Path, linked: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out, url, links = linked
    n = len(_patients_of(small_cohort))
    code, stdout, err = _run(
        ["neuro", "run", str(small_cohort), str(out), "group", "--links", str(links),
         "--database", url], capsys)
    assert code == 0, err
    assert f"{n * 2} of {n * 2} linked sessions" in stdout.replace("\n", " ")
    with (out / "group" / "roi_pain_correlation.tsv").open() as fh:
        table = list(csv.DictReader(fh, delimiter="\t"))
    for outcome in ("pain_nrs", "odi"):
        rows = [r for r in table if r["outcome"] == outcome and r["measure"] == "gm_volume_mm3"]
        assert rows and all(r["n"] == str(n) for r in rows)
    # each record patient read was audited
    with open_store(url) as store, store.session() as s:
        from sqlalchemy import text

        reads = s.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read'")).scalar()
    assert reads == n


def test_link_errors_name_line_and_field(
    small_cohort: Path, linked: tuple[Path, str, Path], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, url, _ = linked
    header = ["participant_id", "session", "patient_id", "scan_date"]
    cases = {
        "bad_date.tsv": ([header, ["sub-001", "01", "rec-0", "12/01/2026"]], "line 2: scan_date"),
        "unknown.tsv": ([header, ["sub-001", "01", "rec-0", "2026-01-12"],
                         ["sub-002", "01", "nobody", "2026-01-12"]], "line 3: patient_id"),
        "twice.tsv": ([header, ["sub-001", "01", "rec-0", "2026-01-12"],
                       ["sub-001", "ses-01", "rec-0", "2026-01-12"]], "line 3: session"),
        "columns.tsv": ([["participant_id", "session"], ["sub-001", "01"]], "scan_date"),
    }
    for name, (rows, expected) in cases.items():
        path = _write(tmp_path / name, rows)
        code, _, err = _run(
            ["neuro", "run", str(small_cohort), str(out), "group", "--links", str(path),
             "--database", url], capsys)
        assert code == 1 and expected in err, (name, err)
        assert "nobody" not in err
    code, _, err = _run(
        ["neuro", "run", str(small_cohort), str(tmp_path / "o"), "participant", "--links",
         str(tmp_path / "twice.tsv")], capsys)
    assert code == 1 and "--links" in err and "group" in err


def test_read_links_strips_session_prefix(linked: tuple[Path, str, Path]) -> None:
    links = read_links(linked[2])
    assert {x.session for x in links} == {"01", "02"}
    assert links[0].scan_date == date(2026, 1, 12)
