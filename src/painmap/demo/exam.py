"""Clinical examination findings of synthetic patients.

Test ids are those of the pain-generator knowledge base (``painmap.generators``). Each
test is positive with a probability that depends on whether the patient's true generator
is the one the test looks for (its sensitivity) or not (1 - specificity). The values are
rounded from the accuracy studies summarised in the knowledge base and are used here only
to make plausible synthetic data.
"""

from __future__ import annotations

import numpy as np

from painmap.core.enums import FindingResult, Root, Side, Structure
from painmap.demo.latent import Latent
from painmap.record.models import ExamRecord

Rng = np.random.Generator

#: test id -> (structure it points to, P(positive | that structure), P(positive | other)).
EXAM_TESTS: dict[str, tuple[Structure, float, float]] = {
    "sij_distraction": (Structure.SIJ, 0.60, 0.19),
    "sij_thigh_thrust": (Structure.SIJ, 0.88, 0.31),
    "sij_compression": (Structure.SIJ, 0.69, 0.31),
    "sij_sacral_thrust": (Structure.SIJ, 0.63, 0.25),
    "gaenslen": (Structure.SIJ, 0.53, 0.29),
    "centralisation": (Structure.DISC, 0.40, 0.06),
    "straight_leg_raise": (Structure.NERVE_ROOT, 0.92, 0.72),
    "crossed_straight_leg_raise": (Structure.NERVE_ROOT, 0.28, 0.10),
    "extension_rotation": (Structure.FACET, 0.70, 0.45),
    "trigger_point": (Structure.MYOFASCIAL, 0.80, 0.20),
}

_SIDED = {"sij_distraction", "sij_thigh_thrust", "sij_compression", "sij_sacral_thrust",
          "gaenslen", "straight_leg_raise", "crossed_straight_leg_raise", "extension_rotation",
          "trigger_point"}


def _side(lat: Latent, test: str) -> Side | None:
    if test not in _SIDED:
        return None
    if lat.side in (Side.LEFT, Side.RIGHT):
        return lat.side
    return Side.BILATERAL


def exam_records(rng: Rng, lat: Latent, *, leg_pain: bool) -> list[ExamRecord]:
    """Examination tests at baseline, with results drawn from their accuracy.

    Parameters
    ----------
    rng : numpy.random.Generator
        The patient's generator.
    lat : Latent
        The patient's hidden truth.
    leg_pain : bool
        Whether the patient has leg pain (neurodynamic tests are done then).

    Returns
    -------
    list of ExamRecord
    """
    out: list[ExamRecord] = []
    for test, (structure, sens, fpr) in EXAM_TESTS.items():
        if structure is Structure.NERVE_ROOT and not leg_pain:
            continue
        positive = rng.random() < (sens if lat.phenotype is structure else fpr)
        root: Root | None = None
        if structure is Structure.NERVE_ROOT and positive and lat.root is not None:
            root = lat.root
        out.append(ExamRecord(
            test=test,
            result=FindingResult.POSITIVE if positive else FindingResult.NEGATIVE,
            root=root,
            side=_side(lat, test),
        ))
    return out
