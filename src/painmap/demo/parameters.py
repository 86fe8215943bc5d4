"""Parameters of the synthetic demo cohort, read from the packaged JSON file.

Every number lives in ``data/demo_parameters.json`` with its source, or marked as a
modelling assumption. The cohort is synthetic: it describes no real patient.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from painmap.core.enums import TreatmentType

PARAMETERS_FILE = "demo_parameters.json"


@lru_cache(maxsize=1)
def load_parameters() -> dict[str, Any]:
    """Return the demo generator's parameters (cached; treat as read-only).

    Returns
    -------
    dict
        The parsed content of ``painmap/demo/data/demo_parameters.json``.
    """
    text = resources.files("painmap.demo").joinpath("data", PARAMETERS_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def default_treatment_effects() -> dict[TreatmentType, float]:
    """The planted mean NRS reduction per treatment type (aimed at the true generator).

    Returns
    -------
    dict of TreatmentType to float
        Points on the 0-10 NRS; positive means pain goes down.
    """
    raw = load_parameters()["treatment_effects"]["effect_nrs"]
    return {TreatmentType(k): float(v) for k, v in raw.items()}


def default_durability() -> dict[TreatmentType, float]:
    """Median months until an individual responder loses the response, per treatment type.

    Returns
    -------
    dict of TreatmentType to float
        Median durability in months.
    """
    raw = load_parameters()["treatment_effects"]["median_durability_months"]
    return {TreatmentType(k): float(v) for k, v in raw.items()}
