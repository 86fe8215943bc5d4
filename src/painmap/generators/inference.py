"""Odds-form Bayesian updating, vectorised over candidates, patients and draws.

For every candidate, independently of the others::

    log10(posterior odds) = log10(prior odds) + sum of counted log10 LRs

Single uncontrolled blocks are capped: their combined contribution may raise a
candidate at most to ``min(ceiling, 0.5)`` starting from its prior, so a single block
never confirms on its own (Schwarzer 1994: 38% false positives, PPV 31%).

The explicit "other / unknown" mass is updated by how much the evidence changed the
probability that none of the ranked candidates is a source::

    LR_other = prod(1 - posterior) / prod(1 - prior)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import entr, expit, logit

FloatArray = NDArray[np.float64]

#: A single block alone can never bring a candidate above this probability.
SINGLE_BLOCK_MAX = 0.5


_LN10 = float(np.log(10.0))


def log10_odds(p: ArrayLike) -> FloatArray:
    """log10(p / (1 - p)); ``-inf`` at 0 and ``+inf`` at 1 (no warnings)."""
    out: FloatArray = logit(np.asarray(p, dtype=np.float64)) / _LN10
    return out


def probability(log10_odds_value: ArrayLike) -> FloatArray:
    """Inverse of :func:`log10_odds` (stable for any value, including infinities)."""
    out: FloatArray = expit(np.asarray(log10_odds_value, dtype=np.float64) * _LN10)
    return out


def posterior_probability(prior: float, log10_lrs: list[float]) -> float:
    """One candidate's posterior: prior odds × 10^(Σ log10 LR), as a probability.

    Parameters
    ----------
    prior : float
        Prior probability in (0, 1).
    log10_lrs : list of float
        log10 likelihood ratios of the counted evidence.

    Returns
    -------
    float
        Posterior probability.
    """
    return float(probability(log10_odds(prior) + sum(log10_lrs)))


def cap_single(prior: ArrayLike, single_sum: ArrayLike, ceiling: ArrayLike) -> FloatArray:
    """The applied contribution of single blocks after the never-confirm-alone cap.

    Parameters
    ----------
    prior : array_like
        Candidate priors.
    single_sum : array_like
        Sum of log10 LRs of counted single-block evidence per candidate.
    ceiling : array_like
        Published single-block ceiling per candidate (PPV of a single block).

    Returns
    -------
    numpy.ndarray
        ``min(single_sum, max(0, log10odds(min(ceiling, 0.5)) - log10odds(prior)))`` for
        positive sums; negative sums (a negative block) are applied unchanged.
    """
    limit = log10_odds(np.minimum(np.asarray(ceiling, dtype=np.float64), SINGLE_BLOCK_MAX))
    return cap_single_lo(log10_odds(prior), single_sum, limit)


def cap_single_lo(lpo: ArrayLike, single_sum: ArrayLike, limit_lo: ArrayLike) -> FloatArray:
    """:func:`cap_single` with log10 prior odds and log10-odds limits precomputed."""
    s = np.asarray(single_sum, dtype=np.float64)
    room = np.maximum(np.asarray(limit_lo) - np.asarray(lpo), 0.0)
    capped: FloatArray = np.where(s > 0, np.minimum(s, room), s)
    return capped


def update(
    prior: ArrayLike,
    other_sum: ArrayLike,
    single_sum: ArrayLike,
    ceiling: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Posterior probabilities for any batch shape (…, C).

    Returns
    -------
    tuple of numpy.ndarray
        ``(posterior, applied_single)``: posterior probabilities and the single-block
        contribution actually applied after the cap.
    """
    limit = log10_odds(np.minimum(np.asarray(ceiling, dtype=np.float64), SINGLE_BLOCK_MAX))
    return update_lo(log10_odds(prior), other_sum, single_sum, limit)


def update_lo(
    lpo: ArrayLike, other_sum: ArrayLike, single_sum: ArrayLike, limit_lo: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """:func:`update` with log10 prior odds and log10-odds single-block limits precomputed."""
    applied = cap_single_lo(lpo, single_sum, limit_lo)
    total = np.asarray(other_sum, dtype=np.float64) + applied
    return probability(np.asarray(lpo) + total), applied


def other_log10_lr(prior: ArrayLike, posterior: ArrayLike) -> FloatArray:
    """log10 LR applied to the other/unknown mass (sum over the last axis).

    Candidates with a prior of 0 (not ranked) contribute nothing.
    """
    pr = np.asarray(prior, dtype=np.float64)
    po = np.asarray(posterior, dtype=np.float64)
    ratio = np.maximum(1.0 - po, 1e-300) / np.maximum(1.0 - pr, 1e-300)
    out: FloatArray = np.log10(np.multiply.reduce(ratio, axis=-1))
    return out


def binary_entropy_bits(p: ArrayLike) -> FloatArray:
    """Entropy of a yes/no probability in bits (0 at 0 and 1)."""
    arr = np.asarray(p, dtype=np.float64)
    out: FloatArray = (entr(arr) + entr(1.0 - arr)) / np.log(2.0)
    return out
