"""``painmap outcomes patient`` and ``painmap report patient`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import exit_code as _run
from painmap.demo import generate_cohort
from painmap.store import cli_actor, open_store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('outcomes') / 'o.db'}"
    with open_store(url, create=True) as store:
        store.add_patients(generate_cohort(40, seed=2), actor=cli_actor())
    return url


def test_outcomes_patient_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["outcomes", "patient", "demo-2-000001", "--json", "--database", db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["patient_id"] == "demo-2-000001"
    (ep,) = data["episodes"]
    assert ep["episode"]["matched_top"] in (True, False)
    nrs = next(o for o in ep["outcomes"] if o["instrument"] == "nrs")
    assert [tp["month"] for tp in nrs["time_points"]] == [1, 3, 6, 12]


def test_outcomes_patient_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["outcomes", "patient", "demo-2-000002", "--database", db]) == 0
    out = capsys.readouterr().out
    assert "Episode 1" in out and "nrs" in out and "durability" in out


def test_unknown_patient_is_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["outcomes", "patient", "nobody", "--database", db]) == 1
    err = capsys.readouterr().err
    assert "nobody" in err and "Traceback" not in err


def test_cohort_bad_grouping(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["outcomes", "cohort", "--by", "colour", "--out", str(tmp_path),
                 "--database", db]) == 1
    err = capsys.readouterr().err
    assert "--by" in err and "treatment" in err and "Traceback" not in err


def test_cohort_by_phenotype_without_model(db: str, tmp_path: Path) -> None:
    out = tmp_path / "c"
    assert _run(["outcomes", "cohort", "--by", "phenotype", "--no-model", "--match",
                 "--out", str(out), "--database", db]) == 0
    header = (out / "responder_rates.tsv").read_text().splitlines()[0].split("\t")
    assert header[:3] == ["group", "instrument", "month"]
    groups = {line.split("\t")[0] for line in
              (out / "responder_rates.tsv").read_text().splitlines()[1:]}
    assert groups <= {"disc", "facet", "sij", "root", "myofascial", "nociplastic"}
    assert (out / "responder_rates_by_match.tsv").exists()
    assert not (out / "model_nrs_contrasts.tsv").exists()


def test_cohort_outcomes_tsv_has_a_fixed_row_order(db: str, tmp_path: Path) -> None:
    texts = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert _run(["outcomes", "cohort", "--no-model", "--out", str(out),
                     "--database", db]) == 0
        texts.append((out / "outcomes.tsv").read_text())
    assert texts[0] == texts[1]
    lines = texts[0].splitlines()
    header = lines[0].split("\t")
    keys = [header.index(c) for c in ("patient_id", "episode", "instrument", "month")]
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) > 50
    order = [(r[keys[0]], int(r[keys[1]]), r[keys[2]], int(r[keys[3]])) for r in rows]
    assert order == sorted(order) and len(set(order)) == len(order)


def test_report_pdf(db: str, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    assert _run(["report", "patient", "demo-2-000003", "-o", str(pdf), "--database", db]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(
        b"/Type /Page ") >= 1
    assert _run(["report", "patient", "demo-2-000003", "-o", str(tmp_path / "r.txt"),
                 "--database", db]) == 1
