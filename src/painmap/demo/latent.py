"""The hidden truth of one synthetic patient: who they are and what really hurts.

Each demo patient gets a true (latent) pain generator drawn from the published source
prevalences of chronic low back pain, with its level and side, plus latent traits
(distress, neuropathic features, disability) that drive the questionnaire answers.
None of this is written into the clinical record; it is returned separately as
:class:`DemoTruth` so tests can check what the analysis recovers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from painmap.core.enums import Root, Sex, Side, SpinalLevel, Structure

Rng = np.random.Generator


@dataclass(frozen=True)
class Latent:
    """Latent characteristics of one synthetic patient at baseline.

    Attributes
    ----------
    phenotype : Structure
        The true pain generator.
    level : SpinalLevel or None
        Level of a disc, facet or root generator.
    root : Root or None
        Compressed root of a radicular generator.
    side : Side
        Side of the generator (``midline`` for central disc pain).
    age : int
        Age in years at baseline.
    sex : Sex
        Administrative sex.
    distress : float
        Standard-normal psychological distress (drives STarT Back, PCS, CSI).
    neuropathic : float
        Standard-normal neuropathic-feature score (drives painDETECT).
    nrs : int
        Baseline pain 0-10.
    baseline : datetime.date
        Date of the baseline visit.
    onset : datetime.date
        Onset of the current episode of back pain.
    """

    phenotype: Structure
    level: SpinalLevel | None
    root: Root | None
    side: Side
    age: int
    sex: Sex
    distress: float
    neuropathic: float
    nrs: int
    baseline: date
    onset: date


def choice(rng: Rng, weights: dict[str, float]) -> str:
    """Draw one key of ``weights`` with probability proportional to its value."""
    keys = list(weights)
    p = np.asarray([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _side(rng: Rng, phenotype: Structure) -> Side:
    if phenotype in (Structure.NERVE_ROOT, Structure.SIJ):
        return Side.LEFT if rng.random() < 0.5 else Side.RIGHT
    if phenotype is Structure.DISC:
        return Side(choice(rng, {"midline": 0.5, "left": 0.2, "right": 0.2, "bilateral": 0.1}))
    if phenotype is Structure.FACET:
        return Side(choice(rng, {"left": 0.35, "right": 0.35, "bilateral": 0.3}))
    if phenotype is Structure.NOCIPLASTIC:
        return Side.BILATERAL
    return Side(choice(rng, {"left": 0.3, "right": 0.3, "bilateral": 0.4}))


def draw_latent(rng: Rng, params: dict[str, Any]) -> Latent:
    """Draw the latent truth of one patient.

    Parameters
    ----------
    rng : numpy.random.Generator
        The patient's own generator.
    params : dict
        Parsed ``demo_parameters.json``.

    Returns
    -------
    Latent
        The patient's hidden truth at baseline.
    """
    phenotype = Structure(choice(rng, params["phenotype_shares"]["values"]))
    age_p = params["age_by_phenotype"]
    age = int(np.clip(round(rng.normal(age_p["mean"][phenotype.value], age_p["sd"])),
                      age_p["min"], age_p["max"]))
    sex = Sex.FEMALE if rng.random() < params["female_share"]["value"] else Sex.MALE
    level: SpinalLevel | None = None
    root: Root | None = None
    if phenotype is Structure.DISC:
        level = SpinalLevel(choice(rng, params["disc_levels"]["values"]))
    elif phenotype is Structure.FACET:
        level = SpinalLevel(choice(rng, params["facet_levels"]["values"]))
    elif phenotype is Structure.NERVE_ROOT:
        rl = params["root_levels"]
        root = Root(choice(rng, rl["values"]))
        level = SpinalLevel(rl["level_of_root"][root.value])
    side = _side(rng, phenotype)
    distress = float(rng.normal(1.2 if phenotype is Structure.NOCIPLASTIC else 0.0, 1.0))
    neuropathic = float(rng.normal(1.5 if phenotype is Structure.NERVE_ROOT else 0.0, 1.0))
    nrs_mean = 6.2 + (0.8 if phenotype is Structure.NOCIPLASTIC else 0.0) + 0.3 * distress
    nrs = int(np.clip(round(rng.normal(nrs_mean, 1.4)), 2, 10))
    v = params["visits"]
    baseline = date.fromisoformat(v["first_baseline"]) + timedelta(
        days=int(rng.integers(0, v["baseline_span_days"]))
    )
    if rng.random() < params["chronic_share"]["value"]:
        d = params["chronic_duration_months"]
        months = float(np.exp(rng.normal(np.log(d["median"]), d["log_sd"])))
        months = float(np.clip(months, 3.5, max(3.6, (age - 16) * 12.0)))
    else:
        months = float(rng.uniform(0.5, 2.8))
    onset = baseline - timedelta(days=round(months * 365.25 / 12))
    return Latent(phenotype, level, root, side, age, sex, distress, neuropathic, nrs,
                  baseline, onset)
