"""Shared fixtures of the neuro tests: synthetic cohorts, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from painmap.neuro.simulate import SimulationConfig, simulate_cohort

#: Real FreeSurfer output of bert, beside the repository (CI clones shared/ next to it).
BERT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "freesurfer" / "bert"


@pytest.fixture(scope="session")
def bert_dir() -> Path:
    if not (BERT / "stats" / "aseg.stats").is_file():
        pytest.skip(f"real FreeSurfer bert stats not found at {BERT.resolve()} (shared/ absent)")
    return BERT


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 patients + 3 controls, 2 sessions (fast)."""
    out = tmp_path_factory.mktemp("small") / "bids"
    simulate_cohort(
        out,
        SimulationConfig(
            n_patients=3, n_controls=3, n_sessions=2, effect=-0.05, seed=7, n_volumes=40
        ),
    )
    return out
