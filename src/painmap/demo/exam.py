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
#: Ids are the knowledge-base item ids of :mod:`painmap.generators`.
EXAM_TESTS: dict[str, tuple[Structure, float, float]] = {
    "sij_distraction": (Structure.SIJ, 0.60, 0.19),
    "sij_thigh_thrust": (Structure.SIJ, 0.88, 0.31),
    "sij_compression": (Structure.SIJ, 0.69, 0.31),
    "sij_sacral_thrust": (Structure.SIJ, 0.63, 0.25),
    "sij_gaenslen": (Structure.SIJ, 0.53, 0.29),
    "centralization": (Structure.DISC, 0.40, 0.06),
    "slr": (Structure.NERVE_ROOT, 0.92, 0.72),
    "crossed_slr": (Structure.NERVE_ROOT, 0.28, 0.10),
    "revel_criteria": (Structure.FACET, 0.17, 0.10),
}

#: The SIJ provocation tests whose count makes the Laslett cluster (>= 3 positive).
SIJ_TESTS = ("sij_distraction", "sij_thigh_thrust", "sij_compression", "sij_sacral_thrust",
             "sij_gaenslen")

_SIDED = {*SIJ_TESTS, "sij_provocation_cluster", "slr", "crossed_slr", "revel_criteria"}


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
    n_sij = sum(r.result is FindingResult.POSITIVE for r in out if r.test in SIJ_TESTS)
    out.append(ExamRecord(
        test="sij_provocation_cluster",
        result=FindingResult.POSITIVE if n_sij >= 3 else FindingResult.NEGATIVE,
        side=_side(lat, "sij_provocation_cluster"),
        note=f"{n_sij} of {len(SIJ_TESTS)} provocation tests positive",
    ))
    return out
