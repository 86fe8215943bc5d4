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

import numpy as np
from numpy.typing import NDArray

from painmap.generators.candidates import CANDIDATE_IDS, N_CANDIDATES, OTHER_ID
from painmap.generators.compile import Compiled, compile_evidence
from painmap.generators.evidence import Evidence
from painmap.generators.inference import (
    SINGLE_BLOCK_MAX,
    log10_odds,
    other_log10_lr,
    probability,
    update_lo,
)
from painmap.generators.priors import other_prior, prior_matrix

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


def posterior_matrix(cohort: CohortArrays, chunk: int = 250_000) -> FloatArray:
    """Posterior of every candidate (and other/unknown) for every patient.

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
    for k, start in enumerate(range(0, n, chunk)):
        stop = min(start + chunk, n)
        rows = stop - start
        a, b = bounds[k], bounds[k + 1]
        flat = (pat[a:b] - start) * N_CANDIDATES + cand[a:b]
        is_single = ~np.isnan(ceil[a:b])
        other_sum = np.bincount(
            flat[~is_single], weights=lr[a:b][~is_single], minlength=rows * N_CANDIDATES
        ).reshape(rows, N_CANDIDATES)
        single_sum = np.bincount(
            flat[is_single], weights=lr[a:b][is_single], minlength=rows * N_CANDIDATES
        ).reshape(rows, N_CANDIDATES)
        ceiling = np.full(rows * N_CANDIDATES, SINGLE_BLOCK_MAX)
        np.minimum.at(ceiling, flat[is_single], ceil[a:b][is_single])
        prior = prior_matrix(cohort.age[start:stop], cohort.side_mask[start:stop])
        lpo = log10_odds(prior)
        limit = log10_odds(ceiling.reshape(rows, N_CANDIDATES))
        posterior, _ = update_lo(lpo, other_sum, single_sum, limit)
        posterior = np.where(prior > 0, posterior, 0.0)
        out[start:stop, :N_CANDIDATES] = posterior
        out[start:stop, N_CANDIDATES] = probability(lo_other + other_log10_lr(prior, posterior))
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
