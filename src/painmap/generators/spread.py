"""Spread one non-localising finding over the k locations it cannot tell apart.

A finding such as centralisation (disc, no level), a questionnaire result (every root)
or a non-lateralising sign (both sides) speaks about a structure, not about one of its
locations. Multiplying its published likelihood ratio into each of the k location
candidates would count it k times for the structure. Instead every one of those k
candidates gets the same *effective* ratio ``L``, chosen so that the probability that
at least one of the k locations is a source moves exactly as one application of the
published ratio ``LR`` would move it.

With location prior odds ``o_i`` (combined prior ``q = 1 - prod(1 - p_i)``, whose odds
are ``prod(1 + o_i) - 1``), "one application" means ``odds(q') = LR * odds(q)``, and
``L`` solves::

    prod(1 + o_i * L) = 1 + LR * (prod(1 + o_i) - 1)

With equal priors (how painmap spreads a structure's prior) this has the closed form::

    L = ((1 + LR * ((1 + o)^k - 1))^(1/k) - 1) / o

i.e. ``p_i' = 1 - (1 - q')^(1/k)``. With unequal priors the left side increases with
``L``, so the unique root lies between ``LR`` and 1 and is found numerically. ``k = 1``
gives ``L = LR`` (a localising finding keeps its published ratio).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
_LN10 = math.log(10.0)


def spread_log10_lr(log10_lr: ArrayLike, prior: ArrayLike, k: ArrayLike) -> FloatArray:
    """Effective per-location log10 LR of a finding shared by ``k`` equal-prior locations.

    Parameters
    ----------
    log10_lr : array_like
        Published log10 likelihood ratio (one application to the whole set).
    prior : array_like
        Prior probability of each location (equal across the ``k`` locations).
    k : array_like
        Number of locations the finding applies to without distinguishing them.

    Returns
    -------
    numpy.ndarray
        ``log10(L)`` broadcast over the inputs; equal to ``log10_lr`` where ``k <= 1``
        or the prior is 0 or 1.
    """
    lr = np.asarray(log10_lr, dtype=np.float64)
    p = np.asarray(prior, dtype=np.float64)
    kk = np.asarray(k, dtype=np.float64)
    spread = (kk > 1) & (p > 0) & (p < 1)
    if not np.any(spread):
        out: FloatArray = np.broadcast_to(lr, np.broadcast(lr, p, kk).shape).astype(np.float64)
        return out
    safe_p = np.where(spread, p, 0.5)
    safe_k = np.where(spread, kk, 2.0)
    odds = safe_p / (1.0 - safe_p)
    log1p_o = np.log1p(odds)
    # LR * ((1 + o)^k - 1): the set's posterior odds
    set_odds = np.exp(lr * _LN10) * np.expm1(safe_k * log1p_o)
    with np.errstate(divide="ignore"):
        eff = np.log10(np.expm1(np.log1p(set_odds) / safe_k) / odds)
    result: FloatArray = np.where(spread, eff, lr)
    return result


def spread_log10_lr_scalar(log10_lr: float, prior: float, k: int) -> float:
    """Scalar :func:`spread_log10_lr` (plain floats, no numpy overhead).

    Parameters
    ----------
    log10_lr : float
        Published log10 likelihood ratio.
    prior : float
        Prior probability of each location.
    k : int
        Number of locations.

    Returns
    -------
    float
        ``log10(L)``; ``log10_lr`` itself when ``k <= 1`` or the prior is 0 or 1.
    """
    if k <= 1 or not 0.0 < prior < 1.0:
        return float(log10_lr)
    odds = prior / (1.0 - prior)
    set_odds = 10.0**log10_lr * math.expm1(k * math.log1p(odds))
    return math.log10(math.expm1(math.log1p(set_odds) / k) / odds)


def spread_log10_lr_unequal(log10_lr: float, priors: Sequence[float]) -> float:
    """Effective common log10 LR for locations whose priors differ.

    Parameters
    ----------
    log10_lr : float
        Published log10 likelihood ratio.
    priors : sequence of float
        Prior probability of each of the k locations, each in (0, 1).

    Returns
    -------
    float
        ``log10(L)`` solving ``prod(1 + o_i L) = 1 + LR (prod(1 + o_i) - 1)``; the
        closed form of :func:`spread_log10_lr` when the priors are equal.
    """
    ps = [float(p) for p in priors]
    if len(ps) <= 1 or log10_lr == 0.0:
        return float(log10_lr)
    if max(ps) - min(ps) <= 1e-15 * max(ps):
        return spread_log10_lr_scalar(log10_lr, ps[0], len(ps))
    odds = np.array([p / (1.0 - p) for p in ps])
    target = math.log1p(10.0**log10_lr * math.expm1(float(np.log1p(odds).sum())))

    def gap(log10_l: float) -> float:
        return float(np.log1p(odds * 10.0**log10_l).sum()) - target

    from scipy.optimize import brentq  # on first use: keeps the package import light

    lo, hi = sorted((float(log10_lr), 0.0))
    return float(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14))
