"""Treatment decisions and pain trajectories of synthetic patients (the planted effects).

The clinician aims the treatment at a *suspected* generator, which is the true one with
probability ``clinician_accuracy``. A treatment aimed at the true generator lowers NRS
by its planted effect ``E``; one aimed elsewhere by ``mismatch_fraction * E``. Each
responder keeps the response for an exponentially distributed time with the type's
median durability, then keeps only ``residual_after_loss`` of it.

Follow-up NRS at month ``t`` after the treatment start::

    nrs(t) = nrs0 - natural_course - E * m * R(t) - rtm * (nrs0 - 6.2)
             + sb_high * [STarT Back high] + csi_pen * (CSI - 40) / 10
             + pd_pen * [painDETECT >= 19] + u + e(t)

rounded and clipped to 0-10, with ``m`` = 1 (matched) or ``mismatch_fraction``,
``R(t)`` = 1 before the loss of response and ``residual_after_loss`` after it, a patient
intercept ``u`` and visit noise ``e``. Everything is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from painmap.core.enums import Root, Side, SpinalLevel, Structure, TreatmentType
from painmap.demo.latent import Latent, choice

Rng = np.random.Generator

_WRONG_CANDIDATES = {"disc": 0.3, "facet": 0.3, "sij": 0.2, "root": 0.1, "myofascial": 0.1}


@dataclass(frozen=True)
class Decision:
    """The clinician's treatment decision for one patient.

    Attributes
    ----------
    suspected : Structure
        The structure the clinician believes generates the pain.
    level, root, side
        Where the treatment is aimed.
    type : TreatmentType
        The treatment chosen.
    matched : bool
        Whether the treatment is aimed at the true generator (same structure and,
        where it applies, the same level).
    """

    suspected: Structure
    level: SpinalLevel | None
    root: Root | None
    side: Side
    type: TreatmentType
    matched: bool


def decide(rng: Rng, lat: Latent, params: dict[str, Any]) -> Decision:
    """Choose the suspected generator and the treatment aimed at it."""
    if rng.random() < params["clinician_accuracy"]["value"]:
        suspected, level, root, side = lat.phenotype, lat.level, lat.root, lat.side
    else:
        cands = {k: v for k, v in _WRONG_CANDIDATES.items() if k != lat.phenotype.value}
        suspected = Structure(choice(rng, cands))
        level, root = None, None
        if suspected is Structure.DISC:
            level = SpinalLevel(choice(rng, params["disc_levels"]["values"]))
        elif suspected is Structure.FACET:
            level = SpinalLevel(choice(rng, params["facet_levels"]["values"]))
        elif suspected is Structure.NERVE_ROOT:
            rl = params["root_levels"]
            root = Root(choice(rng, rl["values"]))
            level = SpinalLevel(rl["level_of_root"][root.value])
        side = lat.side
        if side is Side.MIDLINE and suspected is not Structure.DISC:
            side = Side.BILATERAL
        one_sided = suspected in (Structure.NERVE_ROOT, Structure.SIJ)
        if one_sided and side not in (Side.LEFT, Side.RIGHT):
            side = Side.LEFT if rng.random() < 0.5 else Side.RIGHT
    ttype = TreatmentType(choice(rng, params["treatment_choice"][suspected.value]))
    matched = suspected is lat.phenotype and (lat.level is None or level == lat.level)
    return Decision(suspected, level, root, side, ttype, matched)


@dataclass(frozen=True)
class Trajectory:
    """What happens to one patient's pain after the treatment.

    Attributes
    ----------
    effect : float
        Planted NRS reduction applied while the response lasts (``E * m``).
    loss_month : float
        Month after the treatment start at which the response is lost.
    offset : float
        Patient-level shift of follow-up NRS (covariates, regression to the mean,
        natural course and the random intercept).
    """

    effect: float
    loss_month: float
    offset: float

    def nrs_mean(self, nrs0: int, month: float, residual: float) -> float:
        """Expected (unrounded) NRS at ``month`` before visit noise."""
        kept = 1.0 if month < self.loss_month else residual
        return nrs0 + self.offset - self.effect * kept


def trajectory(
    rng: Rng,
    lat: Latent,
    decision: Decision,
    *,
    startback_high: bool,
    csi: float,
    paindetect: float,
    effects: dict[TreatmentType, float],
    durability: dict[TreatmentType, float],
    params: dict[str, Any],
) -> Trajectory:
    """Draw a patient's response to the treatment (planted effect, durability, offset)."""
    tp = params["trajectory"]
    m = 1.0 if decision.matched else tp["mismatch_fraction"]
    effect = effects.get(decision.type, 0.0) * m
    median = durability.get(decision.type, 12.0)
    loss_month = float(rng.exponential(median / np.log(2.0)))
    offset = (
        -tp["natural_course_nrs"]
        - tp["regression_to_mean"] * (lat.nrs - 6.2)
        + (tp["startback_high_penalty"] if startback_high else 0.0)
        + tp["csi_penalty_per_10"] * (csi - 40.0) / 10.0
        + (tp["paindetect_positive_penalty"] if paindetect >= 19 else 0.0)
        + rng.normal(0.0, tp["patient_sd"])
    )
    return Trajectory(effect, loss_month, float(offset))
