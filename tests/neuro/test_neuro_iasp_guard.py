"""IASP guard: no per-individual pain classification or "objective pain" output anywhere.

Scans the neuro API (public names, output columns and measures), the CLI (help texts)
and the report (wording), and checks the report's research-use statement.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import painmap.neuro as neuro_pkg
from painmap.cli import app
from painmap.neuro import guard
from painmap.neuro.bidsio import discover
from painmap.neuro.grouprun import run_group
from painmap.neuro.participant import COVARIATE_COLUMNS, MEASURE_COLUMNS
from painmap.neuro.runner import run_participants

SRC = Path(neuro_pkg.__file__).resolve().parent
CLI_SRC = SRC.parent / "commands" / "neuro.py"


def test_guard_rejects_individual_labels() -> None:
    for bad in ("objective_pain", "Pain Detected", "has_pain", "predicted-pain", "malingering"):
        assert guard.forbidden_in([bad]) == [bad]
        with pytest.raises(guard.IndividualPainLabelError):
            guard.check_columns(["roi", bad])
    assert guard.forbidden_in(["roi", "measure", "pain_nrs", "odi", "cohens_d"]) == []
    assert guard.forbidden_phrases_in("This is an Objective  Pain score") == ["objective pain"]


def test_no_forbidden_names_in_api_or_cli_source() -> None:
    for path in [*SRC.glob("*.py"), CLI_SRC]:
        if path.name == "guard.py":
            continue
        tree = ast.parse(path.read_text())
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name | ast.arg):
                names.append(node.id if isinstance(node, ast.Name) else node.arg)
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.append(node.name)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", node.value)
            ):
                names.append(node.value)  # identifier-like strings: columns, fields, keys
        assert guard.forbidden_in(names) == [], path.name
    assert guard.forbidden_in(MEASURE_COLUMNS + COVARIATE_COLUMNS) == []
    assert guard.forbidden_in(dir(neuro_pkg)) == []


def test_cli_help_has_no_individual_pain_outputs() -> None:
    runner = CliRunner()
    for cmd in ([], ["freesurfer-stats"], ["rois"], ["simulate"], ["run"]):
        res = runner.invoke(app, ["neuro", *cmd, "--help"])
        assert res.exit_code == 0
        assert guard.forbidden_phrases_in(res.output) == []


@pytest.fixture(scope="module")
def participant_out(small_cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guard")
    run_participants(discover(small_cohort), out, workers=1)
    return out


def test_outputs_and_report(small_cohort: Path, participant_out: Path) -> None:
    tmp_path = participant_out
    files = run_group(small_cohort, tmp_path)
    for key, path in files.items():
        if key == "report":
            continue
        with path.open() as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        assert {"roi", "measure"} <= set(rows[0])
        assert guard.forbidden_in(rows[0].keys()) == []
        assert guard.forbidden_in({r["measure"] for r in rows}) == []
        # group-level only: no participant column in any group table
        assert "participant_id" not in rows[0]
    for tsv in tmp_path.glob("sub-*/*.tsv"):
        with tsv.open() as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        assert guard.forbidden_in(rows[0].keys()) == []
        assert guard.forbidden_in({r.get("measure", "") for r in rows}) == []
    html = files["report"].read_text()
    assert guard.forbidden_phrases_in(html) == []
    flat = " ".join(html.split())
    assert "group-level research findings" in flat
    assert "Self-report remains the primary measure of pain" in flat
    assert "Davis et al. 2017" in flat
    assert "Synthetic data" in flat
    assert "data:image/png;base64," in html


def test_render_refuses_forbidden_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    from painmap.neuro import report

    monkeypatch.setattr(report, "STATEMENT", "An objective pain score for each patient.")
    pd = pytest.importorskip("pandas")
    cols = ["roi", "measure", "significant_fdr", "group", "cohens_d", "percent_change", "mean"]
    empty = pd.DataFrame(columns=cols)
    data = {
        "participants": pd.DataFrame(columns=["participant_id", "group", "age", "sex"]),
        "measures": pd.DataFrame(columns=["participant_id", "session", "roi", "measure", "value"]),
        "pain": pd.DataFrame(columns=["participant_id", "session", "pain_nrs", "odi"]),
    }
    tables = {"comparison": empty, "longitudinal": empty, "pain": empty, "task": empty}
    with pytest.raises(ValueError, match="forbidden phrases"):
        report.render_report(tables, data, synthetic=False)


def test_group_pain_can_come_from_the_record(small_cohort: Path, participant_out: Path) -> None:
    # pain rows as painmap.neuro.recordlink.pain_from_records returns them
    rows = [
        {"participant_id": f"sub-00{i}", "session": ses, "pain_nrs": nrs, "odi": None}
        for i, drop in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 0.0))
        for ses, nrs in (("01", 8.0), ("02", 8.0 - drop))
    ]
    files = run_group(small_cohort, participant_out, pain_rows=rows)
    with files["pain"].open() as fh:
        table = list(csv.DictReader(fh, delimiter="\t"))
    nrs = [r for r in table if r["outcome"] == "pain_nrs" and r["measure"] == "gm_volume_mm3"]
    assert nrs and all(r["n"] == "3" for r in nrs)  # the three patients with record pain
    odi = [r for r in table if r["outcome"] == "odi" and r["measure"] == "gm_volume_mm3"]
    assert all(r["n"] == "0" for r in odi)  # no ODI in the record rows
