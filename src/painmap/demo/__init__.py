"""SYNTHETIC demo cohort: plausible chronic back pain patients for demos and tests.

Nothing here describes a real person. :func:`generate_cohort` draws patients with a
hidden true pain generator (from published source prevalences), a consistent baseline
work-up, a treatment and follow-up visits whose pain responds with planted, documented
effects (``data/demo_parameters.json``; see docs/demo.md).
"""

from painmap.demo.cohort import (
    DEMO_ID_PREFIX,
    DemoTruth,
    generate_cohort,
    generate_cohort_with_truth,
    generate_patient,
    is_demo_id,
    iter_cohort_with_truth,
)
from painmap.demo.parameters import default_durability, default_treatment_effects, load_parameters

__all__ = [
    "DEMO_ID_PREFIX",
    "DemoTruth",
    "default_durability",
    "default_treatment_effects",
    "generate_cohort",
    "generate_cohort_with_truth",
    "generate_patient",
    "is_demo_id",
    "iter_cohort_with_truth",
    "load_parameters",
]
