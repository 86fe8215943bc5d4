"""Posterior uncertainty intervals by Monte Carlo from the published confidence intervals.

Each counted likelihood ratio is drawn on the log scale from a normal distribution
whose spread matches its published 95% CI (or, for a sensitivity/specificity pair, the
delta-method spread of the derived LR). Items without any published CI get an assumed
standard error of 0.1 log10 units (shown as ``ci_source: "assumed"``). Structure
prevalences are drawn from Beta(k + 0.5, n - k + 0.5) of their source study. One
parameter is drawn once per draw and shared by every candidate it applies to; a finding
spread over k locations (:mod:`painmap.generators.spread`) is spread again in every draw,
from the drawn published LR and the drawn location prior. The
generator is seeded, so the same evidence always gives the same interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from painmap.generators.candidates import CANDIDATES, N_CANDIDATES, SIDES, STRUCTURES
from painmap.generators.compile import Compiled
from painmap.generators.inference import (
    SINGLE_BLOCK_MAX,
    cap_single_lo,
    log10_odds,
    probability,
)
from painmap.generators.knowledge import load_priors_data
from painmap.generators.priors import location_prior, structure_priors
from painmap.generators.spread import spread_log10_lr

FloatArray = NDArray[np.float64]
#: (parameter, earlier parameters of its spread chain, k locations, structure)
EffKey = tuple[int, tuple[int, ...], int, str]

#: Number of Monte Carlo draws per patient.
N_DRAWS = 1000
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


@dataclass(frozen=True)
class BaseDraws:
    """The random numbers of one (seed, draws, width): the same for every patient."""

    normals: FloatArray  # (n_draws, width) standard normals, one column per parameter
    prevalence: dict[str, FloatArray]  # structure -> prevalence draws
    other_prior: FloatArray  # other/unknown prior draws


@lru_cache(maxsize=16)
def base_draws(n_draws: int, seed: int, width: int) -> BaseDraws:
    """Seeded draws shared by every ranking (cached: they do not depend on the patient)."""
    rng = np.random.default_rng(seed)
    prevalence: dict[str, FloatArray] = {}
    for name in STRUCTURES:
        sp = structure_priors()[name]
        if sp.n:
            k = sp.prevalence * sp.n
            prevalence[name] = rng.beta(k + 0.5, sp.n - k + 0.5, size=n_draws)
    other = load_priors_data()["other"]
    k_other = other["prevalence"] * other["n"]
    other_prior = rng.beta(k_other + 0.5, other["n"] - k_other + 0.5, size=n_draws)
    normals = rng.standard_normal((n_draws, width))
    for arr in (normals, other_prior, *prevalence.values()):
        arr.setflags(write=False)
    return BaseDraws(normals, prevalence, other_prior)


def _interval(draws: FloatArray) -> FloatArray:
    """2.5th and 97.5th percentiles of each column (linear interpolation), shape (U, 2)."""
    ordered = np.sort(draws, axis=0)
    n = ordered.shape[0]
    out = np.empty((ordered.shape[1], 2))
    for k, q in enumerate((0.025, 0.975)):
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        out[:, k] = ordered[lo] * (1 - frac) + ordered[hi] * frac
    return out


def intervals(
    compiled: Compiled, n_draws: int = N_DRAWS, seed: int = SEED
) -> tuple[FloatArray, FloatArray]:
    """95% posterior intervals for every candidate and for other/unknown.

    Candidates that share a structure and exactly the same evidence have the same
    distribution, so each distinct column is simulated once.

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
        ``(candidate_intervals, other_interval)`` of shapes (C, 2) and (2,); candidates
        that are not ranked get ``[0, 0]``.
    """
    counted = [c for c in compiled.contributions if c.counted]
    keys: dict[str, int] = {}
    for c in counted:
        keys.setdefault(compiled.observations[c.observation].param_key, len(keys))
    # effective parameters: a drawn published LR, spread over k locations of a structure
    # after the earlier findings spread over the same locations (see compile.chained_spread)
    eff_keys: dict[EffKey, int] = {}
    eff_of: list[int] = []
    for c in counted:
        obs = compiled.observations[c.observation]
        key: EffKey = (
            keys[obs.param_key],
            tuple(keys[k] for k in obs.spread_prev),
            obs.spread_k,
            CANDIDATES[c.candidate].structure,
        )
        eff_of.append(eff_keys.setdefault(key, len(eff_keys)))
    n_params = len(keys)
    n_eff = len(eff_keys)
    mean = np.zeros(n_params)
    se = np.zeros(n_params)
    m_other = np.zeros((n_eff, N_CANDIDATES))
    m_single = np.zeros((n_eff, N_CANDIDATES))
    ceiling = np.full(N_CANDIDATES, SINGLE_BLOCK_MAX)
    for c, e in zip(counted, eff_of, strict=True):
        obs = compiled.observations[c.observation]
        j = keys[obs.param_key]
        published = obs.log10_lr if obs.published_log10_lr is None else obs.published_log10_lr
        mean[j], se[j] = published, obs.se
        if obs.single_ceiling is not None:
            m_single[e, c.candidate] += 1.0
            ceiling[c.candidate] = min(ceiling[c.candidate], obs.single_ceiling)
        else:
            m_other[e, c.candidate] += 1.0
    width = max(64, 1 << max(n_params - 1, 0).bit_length())
    base = base_draws(n_draws, seed, width)
    draws = mean + se * base.normals[:, :n_params]
    prevalences = base.prevalence
    mask = compiled.side_mask[0]
    n_sides = float(mask.sum())
    ranked = [
        j for j, cand in enumerate(CANDIDATES) if cand.side is None or mask[SIDES.index(cand.side)]
    ]
    columns: dict[tuple[object, ...], list[int]] = {}
    for j in ranked:
        sig = (
            CANDIDATES[j].structure,
            ceiling[j],
            m_other[:, j].tobytes(),
            m_single[:, j].tobytes(),
        )
        columns.setdefault(sig, []).append(j)
    groups = list(columns.values())
    first = [g[0] for g in groups]
    weight = np.array([len(g) for g in groups], dtype=float)
    # priors depend on the structure only: log-odds per structure, then gathered
    used = sorted({CANDIDATES[j].structure for j in ranked})
    p_struct = np.stack(
        [
            np.broadcast_to(
                location_prior(s, compiled.age, n_sides, prevalences.get(s)), (n_draws,)
            )
            for s in used
        ],
        axis=1,
    )
    eff_draws = np.empty((n_draws, n_eff))
    for (j, prev, k, structure), e in eff_keys.items():
        if k <= 1:
            eff_draws[:, e] = draws[:, j]
            continue
        p_loc = p_struct[:, used.index(structure)]
        before = draws[:, list(prev)].sum(axis=1)
        eff_draws[:, e] = spread_log10_lr(before + draws[:, j], p_loc, k)
        if prev:
            eff_draws[:, e] -= spread_log10_lr(before, p_loc, k)
    draws = eff_draws
    col = np.array([used.index(CANDIDATES[j].structure) for j in first], dtype=np.intp)
    lpo = log10_odds(p_struct)[:, col]
    log_not_prior = np.log10(1.0 - p_struct)[:, col]
    total = draws @ m_other[:, first]
    if m_single[:, first].any():
        limit = log10_odds(np.minimum(ceiling[first], SINGLE_BLOCK_MAX))
        total = total + cap_single_lo(lpo, draws @ m_single[:, first], limit)
    posterior = probability(lpo + total)
    per_column = _interval(posterior)
    cand = np.zeros((N_CANDIDATES, 2))
    for k, g in enumerate(groups):
        cand[g] = per_column[k]
    other_prior = base.other_prior
    ratio = np.log10(np.maximum(1.0 - posterior, 1e-300)) - log_not_prior
    other_post = probability(log10_odds(other_prior) + ratio @ weight)
    other = _interval(other_post[:, None])[0]
    return cand, other
