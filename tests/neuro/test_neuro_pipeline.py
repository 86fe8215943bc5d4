"""End to end: simulated cohorts through the BIDS app, participant then group level.

The effect cohort (20 patients, 20 controls, 2 sessions, effect -0.05) must give back
the injected DLPFC change with the right sign and a size within 25 %, the recovery at
follow-up tracking pain relief, and the task response in insula, ACC and thalamus; the
no-effect cohort must show nothing after FDR.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from painmap.cli import main
from painmap.neuro.simulate import TASK_AMPLITUDE, TASK_ROIS, SimulationConfig, simulate_cohort

pytestmark = pytest.mark.slow


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        main(args)
    except SystemExit as exc:
        assert exc.code == 0, capsys.readouterr().err
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return out.out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _row(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, match
    return hits[0]


@pytest.fixture(scope="module")
def effect_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("effect")
    bids, out = root / "bids", root / "out"
    try:
        main(
            [
                "neuro",
                "simulate",
                str(bids),
                "--patients",
                "20",
                "--controls",
                "20",
                "--sessions",
                "2",
                "--effect",
                "-0.05",
                "--seed",
                "1",
            ]
        )
    except SystemExit as exc:
        assert exc.code == 0
    for level in (["participant", "--workers", "2"], ["group"]):
        try:
            main(["neuro", "run", str(bids), str(out), *level])
        except SystemExit as exc:
            assert exc.code == 0
    return out / "group"


@pytest.fixture(scope="module")
def null_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("null")
    bids, out = root / "bids", root / "out"
    simulate_cohort(
        bids,
        SimulationConfig(
            n_patients=20, n_controls=20, n_sessions=2, effect=0.0, seed=2, n_volumes=40
        ),
    )
    for level in (["participant", "--workers", "2"], ["group"]):
        try:
            main(["neuro", "run", str(bids), str(out), *level])
        except SystemExit as exc:
            assert exc.code == 0
    return out / "group"


def test_group_tables_have_roi_measure_and_statistics(effect_run: Path) -> None:
    needed = {
        "roi_group_comparison.tsv": {"cohens_d", "p", "q", "estimate", "percent_difference"},
        "roi_longitudinal.tsv": {"mean_change", "percent_change", "cohens_dz", "p", "q"},
        "roi_pain_correlation.tsv": {"r", "p", "q", "outcome"},
        "roi_task_activation.tsv": {"mean", "cohens_d", "p", "q"},
    }
    for name, cols in needed.items():
        rows = _rows(effect_run / name)
        assert rows, name
        assert {"roi", "measure"} | cols <= set(rows[0]), name
    assert (effect_run / "report.html").is_file()


def test_injected_dlpfc_effect_is_recovered(effect_run: Path) -> None:
    rows = _rows(effect_run / "roi_group_comparison.tsv")
    for measure in ("gm_volume_mm3", "thickness_mm"):
        r = _row(rows, roi="dlpfc_left", measure=measure)
        pct = float(r["percent_difference"])
        assert pct < 0, measure  # right sign
        assert abs(pct - (-5.0)) <= 0.25 * 5.0, (measure, pct)  # size within 25 %
        assert r["significant_fdr"] == "True"
        assert float(r["cohens_d"]) < 0
    # the contralateral DLPFC carries no injected effect
    for measure in ("gm_volume_mm3", "thickness_mm"):
        assert _row(rows, roi="dlpfc_right", measure=measure)["significant_fdr"] == "False"


def test_recovery_tracks_pain_relief(effect_run: Path) -> None:
    lon = _rows(effect_run / "roi_longitudinal.tsv")
    for measure in ("gm_volume_mm3", "thickness_mm"):
        r = _row(lon, roi="dlpfc_left", measure=measure, session="02")
        assert float(r["mean_change"]) > 0 and r["significant_fdr"] == "True"
    cor = _rows(effect_run / "roi_pain_correlation.tsv")
    for measure in ("gm_volume_mm3", "thickness_mm"):
        r = _row(cor, roi="dlpfc_left", measure=measure, outcome="pain_nrs", session="02")
        # more relief (pain falls, negative delta) goes with more DLPFC recovery
        assert float(r["r"]) < -0.5 and r["significant_fdr"] == "True"


def test_task_response_is_recovered(effect_run: Path) -> None:
    rows = [r for r in _rows(effect_run / "roi_task_activation.tsv") if r["group"] == "all"]
    for r in rows:
        if r["roi"] in TASK_ROIS:
            assert r["significant_fdr"] == "True", r["roi"]
            assert float(r["mean"]) > 0
        else:
            assert r["significant_fdr"] == "False", r["roi"]
    # the injected 2 % response (at the block plateau) is recovered within 25 %
    for roi in TASK_ROIS:
        mean = float(_row(rows, roi=roi)["mean"])
        assert abs(mean - 100 * TASK_AMPLITUDE) <= 0.25 * 100 * TASK_AMPLITUDE, (roi, mean)


def test_null_cohort_shows_nothing_after_fdr(null_run: Path) -> None:
    for name in ("roi_group_comparison.tsv", "roi_longitudinal.tsv", "roi_pain_correlation.tsv"):
        rows = _rows(null_run / name)
        assert rows
        sig = [(r["roi"], r["measure"]) for r in rows if r["significant_fdr"] == "True"]
        assert sig == [], (name, sig)
    dl = _row(
        _rows(null_run / "roi_group_comparison.tsv"), roi="dlpfc_left", measure="gm_volume_mm3"
    )
    assert abs(float(dl["percent_difference"])) < 2.0
