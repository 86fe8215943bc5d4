"""The ``painmap neuro`` commands: output, and one-line errors without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run_captured as _run


def test_freesurfer_stats_json_on_bert(bert_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["neuro", "freesurfer-stats", str(bert_dir), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["aseg"]["measures"]["eTIV"] == 1520021.264474
    assert data["aparc"]["rh"]["structures"]["insula"]["thickness_mm"] == 3.119
    code, out, _ = _run(["neuro", "freesurfer-stats", str(bert_dir), "--rois", "--json"], capsys)
    assert json.loads(out)["thalamus_right"]["gray_volume_mm3"] == 8287.8
    code, out, _ = _run(["neuro", "freesurfer-stats", str(bert_dir)], capsys)
    assert code == 0 and "eTIV" in out


def test_rois_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["neuro", "rois", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert [r["id"] for r in data["rois"]][:2] == ["dlpfc_left", "dlpfc_right"]
    assert "davis2017" in data["citations"]
    code, out, _ = _run(["neuro", "rois"], capsys)
    assert "nacc_right" in out


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["neuro", "freesurfer-stats", str(tmp_path / "none")], capsys)
    assert code == 1 and "subject_dir" in err
    code, _, err = _run(["neuro", "run", str(tmp_path), str(tmp_path / "o"), "participant"], capsys)
    assert code == 1 and "dataset_description.json" in err
    code, _, err = _run(["neuro", "run", str(tmp_path), str(tmp_path / "o"), "sideways"], capsys)
    assert code != 0 and "participant" in err
    code, _, err = _run(["neuro", "simulate", str(tmp_path / "s"), "--effect", "3"], capsys)
    assert code == 1 and "effect" in err and "allowed" in err
    assert not (tmp_path / "s").exists()


def test_scheduler_and_workers_exclusive(
    small_cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        [
            "neuro",
            "run",
            str(small_cohort),
            str(tmp_path),
            "participant",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--workers",
            "2",
        ],
        capsys,
    )
    assert code == 1 and "--scheduler" in err
    code, _, err = _run(
        [
            "neuro",
            "run",
            str(small_cohort),
            str(tmp_path),
            "participant",
            "--participant-label",
            "999",
        ],
        capsys,
    )
    assert code == 1 and "participant_label" in err and "001" in err
    code, _, err = _run(
        ["neuro", "run", str(small_cohort), str(tmp_path / "empty"), "group"], capsys
    )
    assert code == 1 and "participant level first" in err


def test_simulate_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    code, _, err = _run(["neuro", "simulate", str(tmp_path / "x")], capsys)
    assert code == 1 and "not empty" in err
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"
