"""Rank whole cohorts at once: one patients × candidates matrix, no per-patient loop.

Each patient's evidence is compiled once (the same rules as :func:`painmap.generators.rank`)
into sparse rows ``(patient, candidate, log10 LR)``; priors, sums, the single-block cap
and the other/unknown mass are then computed for all patients with numpy, in chunks so
memory stays bounded. Monte Carlo intervals and next tests are per-patient features of
:func:`~painmap.generators.rank` and are not computed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from painmap.generators.candidates import (
    CANDIDATE_IDS,
    CANDIDATES,
    N_CANDIDATES,
    OTHER_ID,
    SIDES,
    STRUCTURES,
)
from painmap.generators.compile import Compiled, compile_evidence
from painmap.generators.evidence import Evidence
from painmap.generators.inference import (
    SINGLE_BLOCK_MAX,
    cap_single_lo,
    log10_odds,
    probability,
)
from painmap.generators.priors import location_prior, other_prior

FloatArray = NDArray[np.float64]
#: Column ids of :func:`posterior_matrix` (the ranked candidates, then ``other``).
COLUMNS: tuple[str, ...] = (*CANDIDATE_IDS, OTHER_ID)


@dataclass(frozen=True)
class CohortArrays:
    """A cohort's compiled evidence as flat arrays.

    Attributes
    ----------
    age : numpy.ndarray, shape (P,)
    side_mask : numpy.ndarray of bool, shape (P, 2)
        Candidate sides ``[left, right]``.
    patient, candidate : numpy.ndarray of int, shape (K,)
        Row and column of each counted contribution.
    log10_lr : numpy.ndarray, shape (K,)
    single_ceiling : numpy.ndarray, shape (K,)
        The single-block ceiling for single-block rows, NaN for every other row.
    """

    age: FloatArray
    side_mask: NDArray[np.bool_]
    patient: NDArray[np.intp]
    candidate: NDArray[np.intp]
    log10_lr: FloatArray
    single_ceiling: FloatArray

    @property
    def n_patients(self) -> int:
        """Number of patients."""
        return int(self.age.shape[0])


def arrays_from_compiled(compiled: Iterable[Compiled]) -> CohortArrays:
    """Collect compiled patients into :class:`CohortArrays`."""
    ages: list[float] = []
    masks: list[NDArray[np.bool_]] = []
    pat: list[int] = []
    cand: list[int] = []
    lrs: list[float] = []
    ceil: list[float] = []
    for p, comp in enumerate(compiled):
        ages.append(comp.age)
        masks.append(comp.side_mask[0])
        for c in comp.contributions:
            if not c.counted:
                continue
            obs = comp.observations[c.observation]
            pat.append(p)
            cand.append(c.candidate)
            lrs.append(obs.log10_lr)
            ceil.append(np.nan if obs.single_ceiling is None else obs.single_ceiling)
    return CohortArrays(
        age=np.asarray(ages, dtype=np.float64),
        side_mask=np.asarray(masks, dtype=bool).reshape(-1, 2),
        patient=np.asarray(pat, dtype=np.intp),
        candidate=np.asarray(cand, dtype=np.intp),
        log10_lr=np.asarray(lrs, dtype=np.float64),
        single_ceiling=np.asarray(ceil, dtype=np.float64),
    )


def compile_cohort(evidences: Iterable[Evidence]) -> CohortArrays:
    """Compile many patients' evidence (one Python pass) into flat arrays."""
    return arrays_from_compiled(compile_evidence(ev) for ev in evidences)


@cache
def _layout() -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Per candidate: its structure's index in STRUCTURES and its side column (-1: none)."""
    struct = np.array([STRUCTURES.index(c.structure) for c in CANDIDATES], dtype=np.intp)
    side = np.array(
        [-1 if c.side is None else SIDES.index(c.side) for c in CANDIDATES], dtype=np.intp
    )
    return struct, side


def posterior_matrix(cohort: CohortArrays, chunk: int = 250_000) -> FloatArray:
    """Posterior of every candidate (and other/unknown) for every patient.

    Priors are computed once per structure and gathered into the matrix; the odds
    update, the single-block cap and the other/unknown term are computed only for the
    cells that received evidence (a candidate without evidence keeps its prior), so the
    heavy arithmetic scales with the number of findings, not patients × candidates.

    Parameters
    ----------
    cohort : CohortArrays
        Compiled cohort.
    chunk : int, optional
        Patients per vectorised chunk (bounds memory).

    Returns
    -------
    numpy.ndarray, shape (P, C + 1)
        Columns as :data:`COLUMNS`; candidates not ranked for a patient (a side without
        pain) are 0.
    """
    n = cohort.n_patients
    out = np.empty((n, N_CANDIDATES + 1), dtype=np.float64)
    order = np.argsort(cohort.patient, kind="stable")
    pat = cohort.patient[order]
    cand = cohort.candidate[order]
    lr = cohort.log10_lr[order]
    ceil = cohort.single_ceiling[order]
    bounds = np.searchsorted(pat, np.arange(0, n + chunk, chunk))
    lo_other = float(log10_odds(other_prior()))
    struct, side = _layout()
    sided = side >= 0
    sided_cols = np.flatnonzero(sided)
    for k, start in enumerate(range(0, n, chunk)):
        stop = min(start + chunk, n)
        rows = stop - start
        a, b = bounds[k], bounds[k + 1]
        mask = cohort.side_mask[start:stop]
        mask = np.where(mask.any(axis=1, keepdims=True), mask, True)
        n_sides = mask.sum(axis=1).astype(np.float64)
        ages = cohort.age[start:stop]
        p_struct = np.stack([location_prior(s, ages, n_sides) for s in STRUCTURES], axis=1)
        block = out[start:stop]
        np.take(p_struct, struct, axis=1, out=block[:, :N_CANDIDATES])
        block[:, sided_cols] *= mask[:, side[sided_cols]]
        # sparse update of the cells that received evidence (a cell = patient x candidate)
        flat = (pat[a:b] - start) * N_CANDIDATES + cand[a:b]
        srt = np.argsort(flat, kind="stable")
        flat_s = flat[srt]
        if flat_s.size == 0:
            block[:, N_CANDIDATES] = probability(lo_other)
            continue
        starts = np.flatnonzero(np.r_[True, flat_s[1:] != flat_s[:-1]])
        cells = flat_s[starts]
        t_cell = np.add.reduceat(lr[a:b][srt], starts)
        r = cells // N_CANDIDATES
        c = cells - r * N_CANDIDATES
        sc = side[c]
        on = (sc < 0) | mask[r, np.maximum(sc, 0)]
        p_cell = p_struct[r, struct[c]]
        lpo = np.where(on, log10_odds(p_cell), -300.0)
        ceil_s = ceil[a:b][srt]
        single_rows = ~np.isnan(ceil_s)
        if single_rows.any():
            which = np.searchsorted(cells, flat_s[single_rows])
            s_sum = np.bincount(which, weights=lr[a:b][srt][single_rows], minlength=cells.size)
            s_ceiling = np.full(cells.size, SINGLE_BLOCK_MAX)
            np.minimum.at(s_ceiling, which, ceil_s[single_rows])
            has = np.bincount(which, minlength=cells.size) > 0
            applied = cap_single_lo(lpo[has], s_sum[has], log10_odds(s_ceiling[has]))
            t_cell[has] += applied - s_sum[has]
        post = np.where(on, probability(lpo + t_cell), 0.0)
        p_cell = np.where(on, p_cell, 0.0)
        block.reshape(-1)[r * (N_CANDIDATES + 1) + c] = post
        terms = np.log10(np.maximum(1.0 - post, 1e-300) / np.maximum(1.0 - p_cell, 1e-300))
        other_lr = np.bincount(r, weights=terms, minlength=rows)
        block[:, N_CANDIDATES] = probability(lo_other + other_lr)
    return out


def top_candidates(matrix: FloatArray, k: int = 3) -> list[list[tuple[str, float]]]:
    """The ``k`` highest-posterior columns of each row (ties broken by column order)."""
    idx = np.argsort(-matrix, axis=1, kind="stable")[:, :k]
    vals = np.take_along_axis(matrix, idx, axis=1)
    return [
        [(COLUMNS[int(j)], float(v)) for j, v in zip(ri, rv, strict=True)]
        for ri, rv in zip(idx, vals, strict=True)
    ]


def rank_batch(evidences: Iterable[Evidence]) -> FloatArray:
    """Posterior matrix of a cohort (see :func:`posterior_matrix`).

    Parameters
    ----------
    evidences : iterable of Evidence
        Validated evidence, one per patient.

    Returns
    -------
    numpy.ndarray, shape (P, C + 1)
        Posteriors; equal (to float precision) to :func:`painmap.generators.rank` per row.
    """
    return posterior_matrix(compile_cohort(evidences))
