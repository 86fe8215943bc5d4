"""Benchmark of the pain-generator ranking.

Prints, on the same machine in the same run:

1. one patient, full ranking (Monte Carlo interval with 1,000 draws, next tests, flags),
   also at a new (fractional) age on every call (no per-age caches) and over a stream of
   whole-year ages 18-90 in random order (per-age caches warm, as in a running server);
2. a cohort of 1,000,000 synthetic patients ranked as one vectorised matrix, beside the
   per-patient loop baseline (same arrays, same arithmetic, one patient at a time) timed on
   a subsample and scaled up, and a check that both give the same posteriors;
3. end to end from evidence objects (parse + compile per patient, then the matrix).

Run: ``.venv/bin/python benchmarks/bench_generators.py [--patients N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

import numpy as np

from painmap.generators import compile_cohort, parse_evidence, posterior_matrix, rank
from painmap.generators.batch import CohortArrays
from painmap.generators.candidates import CANDIDATES, N_CANDIDATES, SIDES
from painmap.generators.compile import compile_evidence
from painmap.generators.drawing_evidence import summarize_drawing
from painmap.generators.inference import (
    SINGLE_BLOCK_MAX,
    log10_odds,
    other_log10_lr,
    probability,
    update,
)
from painmap.generators.priors import other_prior, prior_matrix
from painmap.generators.ranking import rank_compiled
from painmap.generators.uncertainty import intervals

PATIENT: dict[str, Any] = {
    "age": 52,
    "sex": "female",
    "drawing": {
        "marks": [
            {"id": i, "intensity": 6}
            for i in (
                "b_lumbar_l5_para_r",
                "b_buttock_r",
                "f_leg_lat_upper_r",
                "f_leg_lat_lower_r",
                "f_dorsum_r",
            )
        ]
    },
    "instruments": {"csi": [2] * 25},
    "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
        {"item": "mri_disc_protrusion", "result": "present", "level": "L4-L5", "side": "right"},
        {"item": "mri_disc_degeneration", "result": "present", "level": "L5-S1"},
        {"item": "centralization", "result": "negative"},
        {"item": "slr", "result": "positive", "side": "right"},
        {"item": "emg_fibrillations", "result": "positive", "root": "L5", "side": "right"},
        {"item": "sij_provocation_cluster", "result": "negative", "side": "right"},
    ],
    "blocks": [
        {
            "type": "medial_branch",
            "levels": ["L4-L5"],
            "side": "right",
            "design": "single",
            "relief_percent": 60,
        }
    ],
}


def _timeit(fn: Any, repeat: int) -> tuple[list[float], float]:
    """Wall times of ``repeat`` calls and the mean CPU time of this process per call."""
    out = []
    cpu = time.process_time()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out, (time.process_time() - cpu) / repeat


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "load average unknown"


def bench_single(repeat: int) -> None:
    ev = parse_evidence(PATIENT)
    rank(ev)  # warm caches (knowledge base, test bank)
    full, full_cpu = _timeit(lambda: rank(ev), repeat)
    lite, lite_cpu = _timeit(lambda: rank(ev, with_interval=False, with_next=False), repeat)
    no_drawing = parse_evidence({k: v for k, v in PATIENT.items() if k != "drawing"})
    nd, nd_cpu = _timeit(lambda: rank(no_drawing), repeat)
    # the same patient at a new age every call: nothing cached per age (location-prior
    # draws, prior vectors) can be reused, as for a stream of different patients
    aged = iter([parse_evidence({**PATIENT, "age": 30.0 + 0.0137 * i}) for i in range(repeat)])
    cold, cold_cpu = _timeit(lambda: rank(next(aged)), repeat)
    # a clinic's stream: whole-year ages 18-90 (the record gives whole years) in shuffled
    # order, timed after one pass over them, i.e. the steady state of a running server
    years = [parse_evidence({**PATIENT, "age": float(a)}) for a in range(18, 91)]
    for e in years:
        rank(e)
    order = np.random.default_rng(5).integers(0, len(years), size=repeat)
    stream = iter([years[i] for i in order])
    warm, warm_cpu = _timeit(lambda: rank(next(stream)), repeat)
    print("1. One patient (drawing, questionnaire, 7 findings, 1 block); target <= 5 ms")
    print(
        f"   full ranking (1,000 MC draws, next tests, flags): wall median "
        f"{1e3 * statistics.median(full):.2f} ms, p95 {1e3 * np.percentile(full, 95):.2f} ms;"
        f" CPU {1e3 * full_cpu:.2f} ms"
    )
    print(
        f"   same, a new age every call (no per-age caches):   wall median "
        f"{1e3 * statistics.median(cold):.2f} ms, p95 {1e3 * np.percentile(cold, 95):.2f} ms;"
        f" CPU {1e3 * cold_cpu:.2f} ms"
    )
    print(
        f"   same, whole-year ages 18-90 in random order:      wall median "
        f"{1e3 * statistics.median(warm):.2f} ms, p95 {1e3 * np.percentile(warm, 95):.2f} ms;"
        f" CPU {1e3 * warm_cpu:.2f} ms"
    )
    print(
        f"   same without the drawing (no body-map features):  wall median "
        f"{1e3 * statistics.median(nd):.2f} ms; CPU {1e3 * nd_cpu:.2f} ms"
    )
    print(
        f"   posteriors only (no MC, no next tests):           wall median "
        f"{1e3 * statistics.median(lite):.2f} ms; CPU {1e3 * lite_cpu:.2f} ms"
    )
    compiled = compile_evidence(ev)
    parts = {
        "body-map features": lambda: summarize_drawing(ev.drawing),
        "compile (drawing given)": lambda: compile_evidence(ev, compiled.summary),
        "MC intervals": lambda: intervals(compiled),
        "rank without MC (incl. next tests)": lambda: rank_compiled(compiled, with_interval=False),
    }
    cpu = {name: _timeit(fn, max(repeat // 4, 10))[1] for name, fn in parts.items()}
    print("   CPU per part: " + "; ".join(f"{k} {1e3 * v:.2f} ms" for k, v in cpu.items()))


def synthetic_cohort(n: int, seed: int = 7) -> CohortArrays:
    """A cohort with 0-10 counted contributions per patient drawn from realistic LRs."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 85, n)
    side_code = rng.integers(0, 3, n)  # 0 left, 1 right, 2 both
    mask = np.stack([side_code != 1, side_code != 0], axis=1)
    counts = rng.integers(0, 11, n)
    k = int(counts.sum())
    patient = np.repeat(np.arange(n), counts)
    lrs = np.log10(
        np.array(
            [
                10.0,
                0.84,
                3.1,
                0.61,
                2.53,
                0.15,
                3.06,
                0.66,
                4.27,
                0.08,
                1.28,
                0.29,
                10.0,
                0.53,
                1.83,
                0.31,
                2.37,
            ]
        )
    )
    cand = rng.integers(0, N_CANDIDATES, k)
    log10_lr = lrs[rng.integers(0, len(lrs), k)]
    is_single = rng.random(k) < 0.05
    ceiling = np.where(is_single, 0.31, np.nan)
    return CohortArrays(age, mask, patient.astype(np.intp), cand.astype(np.intp), log10_lr, ceiling)


def loop_baseline(cohort: CohortArrays, n: int) -> np.ndarray:
    """Per-patient loop over the same arrays with the same arithmetic (the baseline)."""
    out = np.empty((n, N_CANDIDATES + 1))
    lo_other = float(log10_odds(other_prior()))
    starts = np.searchsorted(cohort.patient, np.arange(n + 1))
    for p in range(n):
        a, b = starts[p], starts[p + 1]
        prior = prior_matrix(cohort.age[p : p + 1], cohort.side_mask[p : p + 1])[0]
        other = np.zeros(N_CANDIDATES)
        single = np.zeros(N_CANDIDATES)
        ceiling = np.full(N_CANDIDATES, SINGLE_BLOCK_MAX)
        for c, lr, ce in zip(
            cohort.candidate[a:b], cohort.log10_lr[a:b], cohort.single_ceiling[a:b], strict=True
        ):
            if np.isnan(ce):
                other[c] += lr
            else:
                single[c] += lr
                ceiling[c] = min(ceiling[c], ce)
        post, _ = update(prior, other, single, ceiling)
        post = np.where(prior > 0, post, 0.0)
        out[p, :N_CANDIDATES] = post
        out[p, N_CANDIDATES] = probability(lo_other + other_log10_lr(prior, post))
    return out


def bench_batch(n: int, baseline_n: int) -> None:
    t = time.perf_counter()
    cohort = synthetic_cohort(n)
    t_gen = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    matrix = posterior_matrix(cohort)
    t_vec, c_vec = time.perf_counter() - t, time.process_time() - cpu
    t, cpu = time.perf_counter(), time.process_time()
    base = loop_baseline(cohort, baseline_n)
    t_loop, c_loop = time.perf_counter() - t, time.process_time() - cpu
    same = np.allclose(base, matrix[:baseline_n], atol=1e-12)
    per_loop = t_loop / baseline_n
    print(
        f"2. Cohort of {n:,} patients ({cohort.log10_lr.size:,} counted contributions,"
        f" {N_CANDIDATES + 1} columns; generated in {t_gen:.2f} s)"
    )
    print(
        f"   vectorised matrix:  wall {t_vec:.2f} s, CPU {c_vec:.2f} s "
        f"({n / t_vec:,.0f} patients/s; target <= 5 s)"
    )
    print(
        f"   per-patient loop:   wall {1e6 * per_loop:.0f} us/patient, CPU "
        f"{1e6 * c_loop / baseline_n:.0f} us/patient on {baseline_n:,} patients"
        f" -> {per_loop * n:.0f} s for {n:,} (scaled)"
    )
    print(f"   speed-up:                {per_loop * n / t_vec:.0f}x; same posteriors: {same}")


def _evidence_variants(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    levels = ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]
    out = []
    for _ in range(n):
        side = str(rng.choice(SIDES))
        out.append(
            {
                "age": float(rng.uniform(20, 85)),
                "sex": "female",
                "pain_sides": [side],
                "findings": [
                    {
                        "item": "mri_modic1",
                        "result": str(rng.choice(["present", "absent"])),
                        "level": str(rng.choice(levels)),
                    },
                    {
                        "item": "sij_provocation_cluster",
                        "result": str(rng.choice(["positive", "negative"])),
                        "side": side,
                    },
                    {"item": "centralization", "result": "positive"},
                    {"item": "slr", "result": "negative", "side": side},
                ],
                "blocks": [
                    {
                        "type": "medial_branch",
                        "levels": [str(rng.choice(levels))],
                        "side": side,
                        "design": "single",
                        "relief_percent": 80,
                    }
                ],
            }
        )
    return out


def bench_end_to_end(n: int) -> None:
    lines = [json.dumps(e) for e in _evidence_variants(n)]
    t = time.perf_counter()
    evidences = [parse_evidence(json.loads(x)) for x in lines]
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    cohort = compile_cohort(evidences)
    t_compile = time.perf_counter() - t
    t = time.perf_counter()
    posterior_matrix(cohort)
    t_mat = time.perf_counter() - t
    print(f"3. End to end from NDJSON text, {n:,} patients (no drawings)")
    print(
        f"   parse + validate: {1e6 * t_parse / n:.0f} us/patient; compile: "
        f"{1e6 * t_compile / n:.0f} us/patient; matrix: {1e6 * t_mat / n:.1f} us/patient"
    )
    total = (t_parse + t_compile + t_mat) / n
    print(
        f"   total {1e6 * total:.0f} us/patient -> {total * 1e6:.0f} s per million patients"
        " (per-patient Python parsing dominates)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--end-to-end", type=int, default=5_000)
    args = parser.parse_args()
    print(f"painmap generators benchmark ({len(CANDIDATES)} candidates + other); {_load()}")
    bench_single(args.repeat)
    bench_batch(args.patients, args.baseline)
    bench_end_to_end(args.end_to_end)
    print(f"done; {_load()}")


if __name__ == "__main__":
    main()
