"""Dask participant runs: 2 workers give the same files as 1; reruns skip done work."""

from __future__ import annotations

from pathlib import Path

import pytest

from painmap.cli import main
from painmap.neuro.bidsio import discover
from painmap.neuro.runner import run_participants


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.tsv"))}


def test_two_workers_equal_one_worker(small_cohort: Path, tmp_path: Path) -> None:
    jobs = discover(small_cohort)
    assert [j.subject for j in jobs] == ["001", "002", "003", "004", "005", "006"]
    s1 = run_participants(jobs, tmp_path / "w1", workers=1)
    s2 = run_participants(jobs, tmp_path / "w2", workers=2)
    assert s1.done == s2.done == [j.subject for j in jobs] and not s1.failed
    f1, f2 = _files(tmp_path / "w1"), _files(tmp_path / "w2")
    assert len(f1) == 12
    assert f1 == f2
    # idempotent: a rerun skips everything and changes nothing
    before = {p: (tmp_path / "w1" / p).stat().st_mtime_ns for p in f1}
    again = run_participants(jobs, tmp_path / "w1", workers=2)
    assert again.skipped == s1.done and again.done == []
    assert {p: (tmp_path / "w1" / p).stat().st_mtime_ns for p in f1} == before


def test_participant_label_and_partial_rerun(
    small_cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    try:
        main(
            [
                "neuro",
                "run",
                str(small_cohort),
                str(out),
                "participant",
                "--participant-label",
                "sub-002",
                "--participant-label",
                "004",
            ]
        )
    except SystemExit as exc:
        assert exc.code == 0
    done = sorted(p.name for p in out.iterdir())
    assert done == ["sub-002", "sub-004"]
    text = capsys.readouterr()
    assert "2 done" in text.out and "Traceback" not in text.err
    try:
        main(["neuro", "run", str(small_cohort), str(out), "participant", "--workers", "2"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "4 done, 2 already done" in capsys.readouterr().out


def test_measures_cover_every_modality(small_cohort: Path, tmp_path: Path) -> None:
    jobs = discover(small_cohort, ["001"])
    run_participants(jobs, tmp_path, workers=1)
    text = (tmp_path / "sub-001" / "sub-001_desc-painrois_measures.tsv").read_text()
    header, *lines = text.splitlines()
    assert header.split("\t") == ["participant_id", "session", "roi", "measure", "value"]
    measures = {ln.split("\t")[3] for ln in lines}
    assert {
        "gm_volume_mm3",
        "thickness_mm",
        "fs_volume_mm3",
        "task_effect_pct",
        "fc_z_mpfc",
    } <= measures
    # NAc-mPFC connectivity is among the edges
    assert any(
        ln.split("\t")[2] == "mpfc" and ln.split("\t")[3] == "fc_z_nacc_left" for ln in lines
    )
    cov = (tmp_path / "sub-001" / "sub-001_desc-covariates_sessions.tsv").read_text()
    assert cov.splitlines()[0].split("\t")[2] == "etiv_mm3"
    assert len(cov.splitlines()) == 3


def test_jobs_go_to_an_existing_scheduler(small_cohort: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        s = run_participants(
            discover(small_cohort, ["001"]), tmp_path, scheduler=cluster.scheduler_address
        )
    assert s.done == ["001"] and not s.failed
    assert (tmp_path / "sub-001" / "sub-001_desc-painrois_measures.tsv").is_file()


def test_a_failing_subject_does_not_stop_the_others(small_cohort: Path, tmp_path: Path) -> None:
    jobs = discover(small_cohort, ["001", "002"])
    broken = jobs[0].sessions[0]
    broken.probseg = broken.probseg.with_name("missing_probseg.nii.gz")  # type: ignore[union-attr]
    s = run_participants(jobs, tmp_path, workers=2)
    assert s.done == ["002"]
    assert "file not found" in s.failed["001"]
    assert not (tmp_path / "sub-001").exists() or not any((tmp_path / "sub-001").iterdir())
