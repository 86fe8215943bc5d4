"""The synthetic cohort: BIDS layout, determinism, documented as synthetic, ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from painmap.neuro.bidsio import discover, read_participants, read_sessions
from painmap.neuro.freesurfer import read_subject, roi_table
from painmap.neuro.niftiio import read_volume
from painmap.neuro.simulate import SimulationConfig, simulate_cohort


def test_layout_and_synthetic_labels(small_cohort: Path) -> None:
    desc = json.loads((small_cohort / "dataset_description.json").read_text())
    assert "SYNTHETIC" in desc["Name"]
    assert "SYNTHETIC" in (small_cohort / "README").read_text()
    for d in ("fmriprep", "freesurfer"):
        dd = json.loads((small_cohort / "derivatives" / d / "dataset_description.json").read_text())
        assert dd["DatasetType"] == "derivative" and "SYNTHETIC" in dd["Name"]
    parts = read_participants(small_cohort)
    assert [p["group"] for p in parts.values()] == ["patient"] * 3 + ["control"] * 3
    ses = read_sessions(small_cohort, "001")
    assert set(ses) == {"01", "02"} and {"pain_nrs", "odi"} <= set(ses["01"])
    jobs = discover(small_cohort)
    s = jobs[0].sessions[0]
    assert s.probseg and s.freesurfer and s.task_bold and s.task_events and s.rest_bold
    bold = read_volume(s.task_bold)
    assert bold.data.ndim == 4 and bold.data.shape[3] == 40 and bold.zooms[0] == 6.0


def test_patients_dlpfc_changed_and_recovering(small_cohort: Path) -> None:
    truth = json.loads((small_cohort / "derivatives" / "simulation_truth.json").read_text())
    f = {k: v["dlpfc_left_factor"] for k, v in truth["sessions"].items()}
    assert f["sub-001_ses-01"] == 0.95  # baseline: the full effect
    assert 0.95 <= f["sub-001_ses-02"] <= 1.0  # follow-up: recovered in proportion to relief
    assert f["sub-004_ses-01"] == f["sub-004_ses-02"] == 1.0  # controls unchanged
    # the pain relief and the recovery agree
    ses = read_sessions(small_cohort, "001")
    relief = 1 - float(ses["02"]["pain_nrs"]) / float(ses["01"]["pain_nrs"])
    recovered = (f["sub-001_ses-02"] - 0.95) / 0.05
    assert abs(relief - recovered) < 0.05
    # FreeSurfer-style stats are parseable and carry eTIV
    fs = read_subject(small_cohort / "derivatives" / "freesurfer" / "sub-001_ses-01")
    assert fs["aseg"]["measures"]["eTIV"] > 1e6
    assert roi_table(fs)["dlpfc_left"]["thickness_mm"] is not None


def test_same_seed_same_files(tmp_path: Path) -> None:
    cfg = SimulationConfig(n_patients=1, n_controls=1, n_sessions=1, seed=3, func=False)
    simulate_cohort(tmp_path / "a", cfg)
    simulate_cohort(tmp_path / "b", cfg)
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    gm = read_volume(next((tmp_path / "a").rglob("*probseg.nii.gz")))
    assert float(np.min(gm.data)) >= 0.0 and float(np.max(gm.data)) <= 1.0
