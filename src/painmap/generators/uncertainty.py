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

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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
_LN10 = float(np.log(10.0))
_WORK = threading.local()


def _work(name: str, shape: tuple[int, ...]) -> FloatArray:
    """A reusable per-thread scratch array (its contents are undefined).

    The Monte Carlo temporaries are 50-150 kB each; allocating and freeing them on
    every ranking made the C allocator return the memory to the system and fault it
    back in (about 170 page faults per ranking), so they are kept per thread.
    """
    bufs: dict[str, FloatArray] | None = getattr(_WORK, "bufs", None)
    if bufs is None:
        bufs = {}
        _WORK.bufs = bufs
    size = math.prod(shape)
    arr = bufs.get(name)
    if arr is None or arr.size < size:
        arr = np.empty(max(size, 1))
        bufs[name] = arr
    return arr[:size].reshape(shape)


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
    #: ``normals`` transposed (width, n_draws), C-contiguous: one parameter per row
    normals_t: FloatArray = field(default_factory=lambda: np.empty((0, 0)), compare=False)


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
    normals_t = np.ascontiguousarray(normals.T)
    for arr in (normals, normals_t, other_prior, *prevalence.values()):
        arr.setflags(write=False)
    return BaseDraws(normals, prevalence, other_prior, normals_t)


@lru_cache(maxsize=8)
def _quantile_plan(n: int) -> tuple[list[int], list[tuple[int, int, float]]]:
    plan: list[tuple[int, int, float]] = []
    for q in (0.025, 0.975):
        pos = q * (n - 1)
        lo = math.floor(pos)
        plan.append((lo, min(lo + 1, n - 1), pos - lo))
    kth = sorted({i for lo, hi, _ in plan for i in (lo, hi)})
    return kth, plan


def _interval(draws: FloatArray) -> FloatArray:
    """2.5th and 97.5th percentiles of each column (linear interpolation), shape (U, 2)."""
    return _interval_of(draws, lambda x: x)


def _order_stats(rows: FloatArray, plan: list[tuple[int, int, float]]) -> dict[int, FloatArray]:
    """The order statistics ``plan`` interpolates between, per row of ``rows`` (U, n).

    One sort along the rows' contiguous last axis (faster here than sorting the draws
    matrix along its first axis, or than two partitions; the values are the same).
    """
    ordered = np.sort(rows, axis=1)
    return {i: ordered[:, i] for lo, hi, _ in plan for i in (lo, hi)}


def _interval_of(values: FloatArray, transform: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """Percentiles of ``transform(values)`` per column, for a non-decreasing ``transform``.

    Only the order statistics the interpolation needs are found and transformed: a
    non-decreasing map keeps order statistics, so this equals sorting the transformed
    draws.
    """
    rows = _work("rows", (values.shape[1], values.shape[0]))
    np.copyto(rows, values.T)
    return _interval_of_rows(rows, transform)


def _interval_of_rows(
    rows: FloatArray, transform: Callable[[FloatArray], FloatArray]
) -> FloatArray:
    """:func:`_interval_of` of ``rows.T`` (draws along the rows' last axis)."""
    kth, plan = _quantile_plan(rows.shape[1])
    found = _order_stats(rows, plan)
    stats = dict(zip(kth, transform(np.stack([found[k] for k in kth])), strict=True))
    out = np.empty((rows.shape[0], 2))
    for k, (lo, hi, frac) in enumerate(plan):
        out[:, k] = stats[lo] * (1 - frac) + stats[hi] * frac
    return out


@dataclass(frozen=True)
class StructureDraws:
    """Drawn location priors of one structure for one (age, number of sides)."""

    p: FloatArray  # (n_draws,) location prior
    lpo: FloatArray  # its log10 odds
    log_not: FloatArray  # log10(1 - p)
    #: k -> (odds, (1 + odds)^k - 1) of the spread formula, memoised
    spread: dict[int, tuple[FloatArray, FloatArray]] = field(default_factory=dict, compare=False)

    def spread_constants(self, k: int) -> tuple[FloatArray, FloatArray]:
        """The prior-only parts of :func:`~painmap.generators.spread.spread_log10_lr`."""
        got = self.spread.get(k)
        if got is None:
            odds = self.p / (1.0 - self.p)
            got = (odds, np.expm1(k * np.log1p(odds)))
            self.spread[k] = got
        return got


@lru_cache(maxsize=1024)
def structure_draws(
    n_draws: int, seed: int, width: int, structure: str, age: float | None, n_sides: float
) -> StructureDraws:
    """One structure's drawn location priors (cached; ``age`` None: age-independent).

    Structures without an age slope get ``age=None`` from :func:`prior_draws`, so
    their draws are shared by every age.
    """
    base = base_draws(n_draws, seed, width)
    p = np.ascontiguousarray(
        np.broadcast_to(
            location_prior(
                structure, 0.0 if age is None else age, n_sides, base.prevalence.get(structure)
            ),
            (n_draws,),
        )
    )
    out = StructureDraws(p, log10_odds(p), np.log10(1.0 - p))
    for arr in (out.p, out.lpo, out.log_not):
        arr.setflags(write=False)
    return out


@dataclass(frozen=True)
class PriorDraws:
    """Drawn location priors of every structure for one (age, number of sides)."""

    p: FloatArray  # (n_draws, S) location prior per structure (STRUCTURES order)
    lpo: FloatArray  # (n_draws, S) its log10 odds
    log_not: FloatArray  # (n_draws, S) log10(1 - p)
    other_lpo: FloatArray  # (n_draws,) log10 odds of the drawn other/unknown prior
    inside: bool  # every drawn prior strictly inside (0, 1)
    #: per structure (STRUCTURES order): its draws and memoised spread constants
    structures: tuple[StructureDraws, ...] = field(default=(), compare=False)
    #: other memoised per-(age, sides) arrays
    memo: dict[str, FloatArray] = field(default_factory=dict, compare=False)

    def prior_intervals(self) -> FloatArray:
        """95% interval of every structure's drawn location prior, shape (S, 2) (a copy)."""
        got = self.memo.get("prior_intervals")
        if got is None:
            got = _interval_of(self.lpo, probability)
            self.memo["prior_intervals"] = got
        return got.copy()

    def spread_constants(self, col: int, k: int) -> tuple[FloatArray, FloatArray]:
        """The prior-only parts of :func:`~painmap.generators.spread.spread_log10_lr`."""
        return self.structures[col].spread_constants(k)


@lru_cache(maxsize=256)
def prior_draws(n_draws: int, seed: int, width: int, age: float, n_sides: float) -> PriorDraws:
    """Location-prior draws (cached: they depend on the age and sides, not the evidence)."""
    per = tuple(
        structure_draws(
            n_draws,
            seed,
            width,
            s,
            age if structure_priors()[s].slope_per_year != 0.0 else None,
            n_sides,
        )
        for s in STRUCTURES
    )
    out = PriorDraws(
        np.stack([d.p for d in per], axis=1),
        np.stack([d.lpo for d in per], axis=1),
        np.stack([d.log_not for d in per], axis=1),
        _other_lpo(n_draws, seed, width),
        all(bool(np.all((d.p > 0) & (d.p < 1))) for d in per),
        per,
    )
    for arr in (out.p, out.lpo, out.log_not):
        arr.setflags(write=False)
    return out


@lru_cache(maxsize=16)
def _other_lpo(n_draws: int, seed: int, width: int) -> FloatArray:
    out = log10_odds(base_draws(n_draws, seed, width).other_prior)
    out.setflags(write=False)
    return out


_STRUCTURE_COL = np.array([STRUCTURES.index(c.structure) for c in CANDIDATES], dtype=np.intp)
_CANDIDATE_SIDE = np.array(
    [-1 if c.side is None else SIDES.index(c.side) for c in CANDIDATES], dtype=np.intp
)


def _log10_not(log10_odds_value: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """log10(1 - probability(x)) = -log10(1 + 10^x), computed without forming 1 - p.

    Computed in place in one buffer (the same operations as
    ``np.log(1.0 + np.exp(x * ln10)) * (-1 / ln10)``, with fewer passes over memory).
    """
    out = np.multiply(log10_odds_value, _LN10, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    np.log(out, out=out)
    np.multiply(out, -1.0 / _LN10, out=out)
    return out


def _spread_draws(
    log10_lr: FloatArray,
    odds: FloatArray,
    set_base: FloatArray,
    k: FloatArray | int,
    out: FloatArray | None = None,
) -> FloatArray:
    """:func:`~painmap.generators.spread.spread_log10_lr` with its prior-only parts given.

    ``log(expm1(log1p(exp(lr ln10) set_base) / k) / odds) / ln10``, in place in one buffer.
    """
    out = np.multiply(log10_lr, _LN10, out=out)
    np.exp(out, out=out)
    np.multiply(out, set_base, out=out)
    np.log1p(out, out=out)
    np.divide(out, k, out=out)
    np.expm1(out, out=out)
    np.divide(out, odds, out=out)
    with np.errstate(divide="ignore"):
        np.log(out, out=out)
    np.multiply(out, 1.0 / _LN10, out=out)
    return out


def intervals(
    compiled: Compiled, n_draws: int = N_DRAWS, seed: int = SEED
) -> tuple[FloatArray, FloatArray]:
    """95% posterior intervals for every candidate and for other/unknown.

    Candidates that share a structure and exactly the same evidence have the same
    distribution, so each distinct column is simulated once; every column is simulated
    in one matrix operation over (draws x columns).

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
    observations = compiled.observations
    keys: dict[str, int] = {}
    obs_key: dict[int, int] = {}
    # effective parameters: a drawn published LR, spread over k locations of a structure
    # after the earlier findings spread over the same locations (see compile.chained_spread)
    eff_keys: dict[EffKey, int] = {}
    means: list[float] = []
    ses: list[float] = []
    other_cells: list[tuple[int, int]] = []
    single_cells: list[tuple[int, int]] = []
    ceiling = np.full(N_CANDIDATES, SINGLE_BLOCK_MAX)
    for c in compiled.contributions:
        if not c.counted:
            continue
        obs = observations[c.observation]
        j = obs_key.get(c.observation)
        if j is None:
            j = keys.setdefault(obs.param_key, len(keys))
            obs_key[c.observation] = j
            if j == len(means):
                means.append(0.0)
                ses.append(0.0)
        # the last counted contribution of a parameter gives its mean and spread
        means[j] = obs.log10_lr if obs.published_log10_lr is None else obs.published_log10_lr
        ses[j] = obs.se
        prev = tuple(keys[k] for k in obs.spread_prev) if obs.spread_prev else ()
        key: EffKey = (j, prev, obs.spread_k, CANDIDATES[c.candidate].structure)
        e = eff_keys.setdefault(key, len(eff_keys))
        if obs.single_ceiling is not None:
            single_cells.append((e, c.candidate))
            ceiling[c.candidate] = min(ceiling[c.candidate], obs.single_ceiling)
        else:
            other_cells.append((e, c.candidate))
    n_params = len(keys)
    n_eff = len(eff_keys)
    m_other = np.zeros((n_eff, N_CANDIDATES))
    m_single = np.zeros((n_eff, N_CANDIDATES))
    for m, cells in ((m_other, other_cells), (m_single, single_cells)):
        for cell in cells:
            m[cell] += 1.0
    width = max(64, 1 << max(n_params - 1, 0).bit_length())
    base = base_draws(n_draws, seed, width)
    # one row per parameter (the draws of a parameter are contiguous)
    draws_t = np.multiply(
        np.array(ses)[:, None], base.normals_t[:n_params], out=_work("draws", (n_params, n_draws))
    )
    np.add(draws_t, np.array(means)[:, None], out=draws_t)  # mean + se * z
    mask = compiled.side_mask[0]
    pri = prior_draws(n_draws, seed, width, float(compiled.age), float(mask.sum()))
    # spread parameters (the prior-only parts of the formula are cached per age and sides),
    # every spread parameter in one elementwise call
    eff_t = _work("eff_t", (n_eff, n_draws))
    spread_rows: list[int] = []
    spread_args: list[tuple[FloatArray, int, int]] = []  # (log10 LR draws, column, k)
    minus_rows: list[int] = []
    minus_args: list[tuple[FloatArray, int, int]] = []
    for (j, prev, k, structure), e in eff_keys.items():
        if k <= 1:
            eff_t[e] = draws_t[j]
            continue
        c_s = STRUCTURES.index(structure)
        if not prev and pri.inside:  # nothing spread before it: before + draws == draws
            spread_rows.append(e)
            spread_args.append((draws_t[j], c_s, k))
            continue
        before = draws_t[list(prev)].sum(axis=0)
        if not pri.inside:  # pragma: no cover - drawn priors lie strictly inside (0, 1)
            p_loc = pri.p[:, c_s]
            eff_t[e] = spread_log10_lr(before + draws_t[j], p_loc, k)
            if prev:
                eff_t[e] -= spread_log10_lr(before, p_loc, k)
            continue
        spread_rows.append(e)
        spread_args.append((before + draws_t[j], c_s, k))
        if prev:
            minus_rows.append(e)
            minus_args.append((before, c_s, k))
    if spread_rows:
        args = spread_args + minus_args
        consts = [pri.spread_constants(c_s, k) for _, c_s, k in args]
        shape = (len(args), n_draws)
        out = _spread_draws(
            np.stack([a[0] for a in args], out=_work("spread_lr", shape)),
            np.stack([odds for odds, _ in consts], out=_work("spread_odds", shape)),
            np.stack([set_base for _, set_base in consts], out=_work("spread_base", shape)),
            np.array([float(a[2]) for a in args])[:, None],
            out=_work("spread_out", shape),
        )
        eff_t[spread_rows] = out[: len(spread_rows)]
        if minus_rows:
            eff_t[minus_rows] -= out[len(spread_rows) :]
    eff_draws = _work("eff_draws", (n_draws, n_eff))
    np.copyto(eff_draws, eff_t.T)
    # distinct columns: structure, ceiling and evidence, in first-appearance order
    ranked = _ranked_columns(bool(mask[0]), bool(mask[1]))
    sig = np.concatenate(
        [
            _STRUCTURE_COL_F[ranked, None],
            ceiling[ranked, None],
            m_other[:, ranked].T,
            m_single[:, ranked].T,
        ],
        axis=1,
    )
    seen: dict[bytes, int] = {}
    group_of = np.array([seen.setdefault(row.tobytes(), len(seen)) for row in sig], dtype=np.intp)
    first_pos = np.zeros(len(seen), dtype=np.intp)
    first_pos[group_of[::-1]] = np.arange(group_of.size - 1, -1, -1)
    first = ranked[first_pos]
    weight = np.bincount(group_of, minlength=first.size).astype(float)
    # columns without counted evidence keep their prior: their interval depends on the
    # age and sides only (cached), and they leave the other/unknown mass unchanged
    with_evidence = (m_other[:, first] != 0).any(axis=0) | (m_single[:, first] != 0).any(axis=0)
    sim = np.flatnonzero(with_evidence)
    per_column = pri.prior_intervals()[_STRUCTURE_COL[first]]
    ratio = np.zeros(n_draws)
    if sim.size:
        sim_first = first[sim]
        col = _STRUCTURE_COL[sim_first]
        lpo = np.take(pri.lpo, col, axis=1, out=_work("lpo", (n_draws, col.size)), mode="clip")
        x = np.matmul(eff_draws, m_other[:, sim_first], out=_work("x", (n_draws, col.size)))
        np.add(x, lpo, out=x)  # lpo + sum of effective log10 LRs
        with_single = np.flatnonzero(m_single[:, sim_first].any(axis=0))
        if with_single.size:  # the single-block cap, only on the columns it can touch
            cols = sim_first[with_single]
            limit = log10_odds(np.minimum(ceiling[cols], SINGLE_BLOCK_MAX))
            x[:, with_single] += cap_single_lo(
                lpo[:, with_single], eff_draws @ m_single[:, cols], limit
            )
        per_column[sim] = _interval_of(x, probability)
        # other/unknown: log10 of prod(1 - posterior) / prod(1 - prior) over candidates
        structure_weight = np.bincount(col, weights=weight[sim], minlength=len(STRUCTURES))
        log_not = _log10_not(x, out=_work("log_not", x.shape))
        ratio = log_not @ weight[sim] - pri.log_not @ structure_weight
    cand = np.zeros((N_CANDIDATES, 2))
    cand[ranked] = per_column[group_of]
    other = _interval_of_rows((pri.other_lpo + ratio)[None, :], probability)[0]
    return cand, other


_STRUCTURE_COL_F = _STRUCTURE_COL.astype(float)


@lru_cache(maxsize=4)
def _ranked_columns(left: bool, right: bool) -> NDArray[np.intp]:
    """Candidate columns ranked for the candidate sides ``[left, right]``."""
    mask = np.array([left, right])
    out = np.flatnonzero((_CANDIDATE_SIDE < 0) | mask[np.maximum(_CANDIDATE_SIDE, 0)])
    out.setflags(write=False)
    return out
