"""Treatments and outcomes: did the treatment aimed at the pain generator work?

- :func:`treatment_episodes`: episodes with the top-ranked generator at decision time;
- :func:`outcome_table`: change from the pre-treatment baseline at 1/3/6/12 months with
  IMMPACT / Ostelo responder classes, for one patient or a whole cohort (DuckDB);
- :func:`durability_table`, :func:`kaplan_meier`: time to loss of response;
- :func:`fit_mixed_model`: time x treatment linear mixed models with covariates;
- :func:`patient_outcomes`: everything for one patient.

No I/O: inputs are patients or the column tables of :mod:`painmap.outcomes.frames`.
"""

from painmap.outcomes.durability import KMCurve, durability_table, kaplan_meier
from painmap.outcomes.episodes import TreatmentEpisode, target_matches, treatment_episodes
from painmap.outcomes.frames import Frames, frames_from_patients, normalise
from painmap.outcomes.models import ModelResult, describe, fit_mixed_model
from painmap.outcomes.patient import PatientOutcomes, patient_outcomes
from painmap.outcomes.responders import responder_level, responder_levels
from painmap.outcomes.timeline import outcome_table
from painmap.outcomes.windows import BASELINE_LOOKBACK_DAYS, OUTCOME_INSTRUMENTS, WINDOWS, Window

__all__ = [
    "BASELINE_LOOKBACK_DAYS",
    "OUTCOME_INSTRUMENTS",
    "WINDOWS",
    "Frames",
    "KMCurve",
    "ModelResult",
    "PatientOutcomes",
    "TreatmentEpisode",
    "Window",
    "describe",
    "durability_table",
    "fit_mixed_model",
    "frames_from_patients",
    "kaplan_meier",
    "normalise",
    "outcome_table",
    "patient_outcomes",
    "responder_level",
    "responder_levels",
    "target_matches",
    "treatment_episodes",
]
