"""Prior probabilities by age, spread over levels, roots and sides.

Structure-level priors are published prevalences in chronic low back pain (DePalma
2011 for disc, facet and SIJ; Murphy 2011 for radicular, myofascial and central pain;
Laslett 2005 for the other/unknown mass). Disc, facet and SIJ priors change with age
(DePalma 2011) through a two-group normal model anchored at the cohort's mean age.
A structure's prior ``P`` is spread over its ``n`` locations so that the chance that at
least one location is involved stays ``P``: ``p = 1 - (1 - P) ** (1 / n)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from painmap.generators.candidates import CANDIDATES, LEVEL_NAMES, ROOT_NAMES, STRUCTURES
from painmap.generators.knowledge import load_priors_data

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StructurePrior:
    """Published prevalence of one structure and its age slope (log-odds per year)."""

    structure: str
    prevalence: float
    n: int | None
    slope_per_year: float
    citations: tuple[str, ...]
    verified: bool


@dataclass(frozen=True)
class AgeModel:
    """Reference cohort of the age model and the clamp applied to ages."""

    mean_age: float
    sd: float
    min_age: float
    max_age: float


@cache
def age_model() -> AgeModel:
    """The age model's reference cohort and age clamp."""
    a = load_priors_data()["age_model"]
    mean, sd = float(a["reference_mean_age"]), float(a["reference_sd"])
    return AgeModel(mean, sd, mean - float(a["min_age_sd_below_mean"]) * sd, float(a["max_age"]))


def age_slope(prevalence: float, mean_age_with: float, model: AgeModel) -> float:
    """Log-odds change per year of age for a structure (two-group normal model).

    Parameters
    ----------
    prevalence : float
        Share of the cohort with this pain source.
    mean_age_with : float
        Mean age of the patients with this source.
    model : AgeModel
        The cohort's mean age and SD.

    Returns
    -------
    float
        ``(mean_with - mean_without) / SD**2`` where ``mean_without`` follows from the
        cohort mean: ``(mean - P * mean_with) / (1 - P)``.
    """
    mean_without = (model.mean_age - prevalence * mean_age_with) / (1.0 - prevalence)
    return (mean_age_with - mean_without) / model.sd**2


@cache
def structure_priors() -> dict[str, StructurePrior]:
    """Every structure's published prevalence and age slope."""
    data = load_priors_data()["structures"]
    model = age_model()
    out: dict[str, StructurePrior] = {}
    for name in STRUCTURES:
        s = data[name]
        slope = 0.0
        if s.get("mean_age") is not None:
            slope = age_slope(float(s["prevalence"]), float(s["mean_age"]), model)
        out[name] = StructurePrior(
            name, float(s["prevalence"]), s.get("n"), slope, tuple(s["citations"]), s["verified"]
        )
    return out


def other_prior() -> float:
    """Prior of the explicit other/unknown mass (Laslett 2005: 33%)."""
    return float(load_priors_data()["other"]["prevalence"])


def clamp_age(age: ArrayLike) -> FloatArray:
    """Clamp ages to the range the age model is anchored on."""
    m = age_model()
    return np.clip(np.asarray(age, dtype=np.float64), m.min_age, m.max_age)


def structure_prior_at_age(
    structure: str, age: ArrayLike, prevalence: ArrayLike | None = None
) -> FloatArray:
    """Structure-level prior at an age (vectorised over ages and/or prevalence draws).

    Parameters
    ----------
    structure : str
        One of :data:`painmap.generators.candidates.STRUCTURES`.
    age : array_like
        Age(s) in years.
    prevalence : array_like, optional
        Override of the published prevalence (used for Monte Carlo draws).

    Returns
    -------
    numpy.ndarray
        Prior probability, broadcast over ``age`` and ``prevalence``.
    """
    sp = structure_priors()[structure]
    p = np.asarray(sp.prevalence if prevalence is None else prevalence, dtype=np.float64)
    if sp.slope_per_year == 0.0:
        return np.broadcast_to(p, np.broadcast(p, np.asarray(age)).shape).astype(np.float64)
    logit = np.log(p / (1.0 - p)) + sp.slope_per_year * (clamp_age(age) - age_model().mean_age)
    result: FloatArray = 1.0 / (1.0 + np.exp(-logit))
    return result


def _n_locations(structure: str, n_sides: FloatArray) -> FloatArray:
    if structure == "disc":
        return np.full_like(n_sides, float(len(LEVEL_NAMES)))
    if structure == "facet":
        return float(len(LEVEL_NAMES)) * n_sides
    if structure == "root":
        return float(len(ROOT_NAMES)) * n_sides
    if structure in ("sij", "hip"):
        return n_sides
    return np.ones_like(n_sides)


_SIDE_COL = {"left": 0, "right": 1}


def location_prior(
    structure: str, age: ArrayLike, n_sides: ArrayLike, prevalence: ArrayLike | None = None
) -> FloatArray:
    """Prior of one location of a structure: ``1 - (1 - P(age)) ** (1 / n_locations)``.

    Parameters
    ----------
    structure : str
        Structure name.
    age : array_like
        Age(s).
    n_sides : array_like
        Number of candidate sides (1 or 2).
    prevalence : array_like, optional
        Override of the published prevalence (Monte Carlo draws).

    Returns
    -------
    numpy.ndarray
        Per-location prior, broadcast over the inputs.
    """
    big_p = structure_prior_at_age(structure, age, prevalence)
    n_loc = _n_locations(structure, np.asarray(n_sides, dtype=np.float64))
    out: FloatArray = 1.0 - np.power(1.0 - big_p, 1.0 / n_loc)
    return out


def prior_matrix(
    age: ArrayLike,
    side_mask: NDArray[np.bool_],
    prevalences: Mapping[str, ArrayLike] | None = None,
) -> FloatArray:
    """Per-candidate priors for many patients (or many Monte Carlo draws) at once.

    Parameters
    ----------
    age : array_like, shape (P,)
        Ages.
    side_mask : numpy.ndarray of bool, shape (P, 2)
        Candidate sides per row (``[left, right]``); a row with no side is read as both.
    prevalences : dict, optional
        Structure → prevalence (scalar or shape (P,)) overriding the published ones.

    Returns
    -------
    numpy.ndarray, shape (P, C)
        Candidate priors; candidates on a side outside the mask get 0.
    """
    ages = np.atleast_1d(np.asarray(age, dtype=np.float64))
    mask = np.asarray(side_mask, dtype=bool).reshape(-1, 2)
    mask = np.where(mask.any(axis=1, keepdims=True), mask, True)
    rows = max(ages.shape[0], mask.shape[0])
    ages = np.broadcast_to(ages, (rows,))
    mask = np.broadcast_to(mask, (rows, 2))
    n_sides = mask.sum(axis=1).astype(np.float64)
    out = np.zeros((rows, len(CANDIDATES)), dtype=np.float64)
    per_structure: dict[str, FloatArray] = {}
    for name in STRUCTURES:
        prev = None if prevalences is None else prevalences.get(name)
        per_structure[name] = np.broadcast_to(location_prior(name, ages, n_sides, prev), (rows,))
    for j, cand in enumerate(CANDIDATES):
        p = per_structure[cand.structure]
        if cand.side is not None:
            p = np.where(mask[:, _SIDE_COL[cand.side]], p, 0.0)
        out[:, j] = p
    return out


def location_prior_scalar(structure: str, age: float, n_sides: int) -> float:
    """One location's prior as a plain float (the scalar path of :func:`location_prior`).

    Parameters
    ----------
    structure : str
        Structure name.
    age : float
        Age in years.
    n_sides : int
        Number of candidate sides (1 or 2).

    Returns
    -------
    float
        ``1 - (1 - P(age)) ** (1 / n_locations)``.
    """
    sp = structure_priors()[structure]
    model = age_model()
    big_p = sp.prevalence
    if sp.slope_per_year != 0.0:
        a = min(max(float(age), model.min_age), model.max_age)
        logit = math.log(big_p / (1.0 - big_p)) + sp.slope_per_year * (a - model.mean_age)
        big_p = 1.0 / (1.0 + math.exp(-logit))
    per_side = {"facet": len(LEVEL_NAMES), "root": len(ROOT_NAMES), "sij": 1, "hip": 1}
    if structure == "disc":
        n_loc = len(LEVEL_NAMES)
    elif structure in per_side:
        n_loc = per_side[structure] * n_sides
    else:
        n_loc = 1
    return float(1.0 - (1.0 - big_p) ** (1.0 / n_loc))


def prior_vector(age: float, side_mask: NDArray[np.bool_]) -> FloatArray:
    """Per-candidate priors of one patient (scalar fast path of :func:`prior_matrix`).

    Parameters
    ----------
    age : float
        Age in years.
    side_mask : numpy.ndarray of bool, shape (2,) or (1, 2)
        Candidate sides ``[left, right]`` (none = both).

    Returns
    -------
    numpy.ndarray, shape (C,)
        Equal to ``prior_matrix(age, side_mask)[0]``.
    """
    flags = [bool(x) for x in np.asarray(side_mask).reshape(-1)[:2]]
    return _prior_vector(float(age), flags[0], flags[1]).copy()


@lru_cache(maxsize=256)
def _prior_vector(age: float, left: bool, right: bool) -> FloatArray:
    mask = [left, right]
    if not any(mask):
        mask = [True, True]
    n_sides = float(sum(mask))
    model = age_model()
    a = min(max(float(age), model.min_age), model.max_age)
    per: dict[str, float] = {}
    for name, sp in structure_priors().items():
        big_p = sp.prevalence
        if sp.slope_per_year != 0.0:
            logit = math.log(big_p / (1.0 - big_p)) + sp.slope_per_year * (a - model.mean_age)
            big_p = 1.0 / (1.0 + math.exp(-logit))
        n_loc = float(_n_locations(name, np.array([n_sides]))[0])
        per[name] = 1.0 - (1.0 - big_p) ** (1.0 / n_loc)
    return np.array(
        [per[c.structure] if c.side is None or mask[_SIDE_COL[c.side]] else 0.0 for c in CANDIDATES]
    )
