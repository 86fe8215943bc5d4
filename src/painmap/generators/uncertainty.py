"""Posterior uncertainty intervals by Monte Carlo from the published confidence intervals.

Each counted likelihood ratio is drawn on the log scale from a normal distribution
whose spread matches its published 95% CI (or, for a sensitivity/specificity pair, the
delta-method spread of the derived LR). Items without any published CI get an assumed
standard error of 0.1 log10 units (shown as ``ci_source: "assumed"``). Structure
prevalences are drawn from Beta(k + 0.5, n - k + 0.5) of their source study. One
parameter is drawn once per draw and shared by every candidate it applies to. The
generator is seeded, so the same evidence always gives the same interval.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from painmap.generators.candidates import N_CANDIDATES, STRUCTURES
from painmap.generators.compile import Compiled
from painmap.generators.inference import SINGLE_BLOCK_MAX, other_log10_lr, probability, update
from painmap.generators.inference import log10_odds as _lo
from painmap.generators.knowledge import load_priors_data
from painmap.generators.priors import prior_matrix, structure_priors

FloatArray = NDArray[np.float64]

#: Number of Monte Carlo draws per patient.
N_DRAWS = 2000
#: Seed of the Monte Carlo generator (fixed: intervals are reproducible).
SEED = 20261123


def evidence_arrays(compiled: Compiled) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sum of counted log10 LRs per candidate, split into single blocks and the rest.

    Returns
    -------
    tuple of numpy.ndarray, each shape (C,)
        ``(other_sum, single_sum, ceiling)``; ``ceiling`` is 0.5 where no single block
        applies.
    """
    other = np.zeros(N_CANDIDATES)
    single = np.zeros(N_CANDIDATES)
    ceiling = np.full(N_CANDIDATES, SINGLE_BLOCK_MAX)
    for c in compiled.contributions:
        if not c.counted:
            continue
        obs = compiled.observations[c.observation]
        if obs.single_ceiling is not None:
            single[c.candidate] += obs.log10_lr
            ceiling[c.candidate] = min(ceiling[c.candidate], obs.single_ceiling)
        else:
            other[c.candidate] += obs.log10_lr
    return other, single, ceiling


def _prevalence_draws(rng: np.random.Generator, n_draws: int) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    for name in STRUCTURES:
        sp = structure_priors()[name]
        if sp.n:
            k = sp.prevalence * sp.n
            out[name] = rng.beta(k + 0.5, sp.n - k + 0.5, size=n_draws)
    return out


def intervals(
    compiled: Compiled, n_draws: int = N_DRAWS, seed: int = SEED
) -> tuple[FloatArray, FloatArray]:
    """95% posterior intervals for every candidate and for other/unknown.

    Parameters
    ----------
    compiled : Compiled
        The compiled evidence of one patient.
    n_draws : int, optional
        Monte Carlo draws.
    seed : int, optional
        Generator seed.

    Returns
    -------
    tuple of numpy.ndarray
        ``(candidate_intervals, other_interval)`` of shapes (C, 2) and (2,).
    """
    rng = np.random.default_rng(seed)
    counted = [c for c in compiled.contributions if c.counted]
    keys: dict[str, int] = {}
    for c in counted:
        keys.setdefault(compiled.observations[c.observation].param_key, len(keys))
    n_params = len(keys)
    mean = np.zeros(n_params)
    se = np.zeros(n_params)
    m_other = np.zeros((n_params, N_CANDIDATES))
    m_single = np.zeros((n_params, N_CANDIDATES))
    ceiling = np.full(N_CANDIDATES, SINGLE_BLOCK_MAX)
    for c in counted:
        obs = compiled.observations[c.observation]
        j = keys[obs.param_key]
        mean[j], se[j] = obs.log10_lr, obs.se
        if obs.single_ceiling is not None:
            m_single[j, c.candidate] += 1.0
            ceiling[c.candidate] = min(ceiling[c.candidate], obs.single_ceiling)
        else:
            m_other[j, c.candidate] += 1.0
    draws = mean + se * rng.standard_normal((n_draws, n_params))
    prevalences = _prevalence_draws(rng, n_draws)
    mask = np.broadcast_to(compiled.side_mask.reshape(1, 2), (n_draws, 2))
    prior = prior_matrix(np.full(n_draws, compiled.age), mask, prevalences)
    posterior, _ = update(prior, draws @ m_other, draws @ m_single, ceiling)
    cand = np.percentile(posterior, [2.5, 97.5], axis=0).T
    other_data = load_priors_data()["other"]
    k = other_data["prevalence"] * other_data["n"]
    other_prior = rng.beta(k + 0.5, other_data["n"] - k + 0.5, size=n_draws)
    other_post = probability(_lo(other_prior) + other_log10_lr(prior, posterior))
    other = np.percentile(other_post, [2.5, 97.5])
    # candidates that are not ranked (prior 0) have interval [0, 0]
    return cand, other
