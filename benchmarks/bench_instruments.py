"""Benchmark: vectorised questionnaire scoring vs per-response Python loops.

Scores 1,000,000 synthetic ODI, PCS and STarT Back responses with
``painmap.instruments.score_batch`` on ONE core (BLAS threads pinned to 1), and compares
with two per-response loops measured in the same run on a subsample and extrapolated:

- ``score()`` loop: the public one-response API (validation + result model);
- bare loop: a minimal hand-written Python scorer (range check + sum), the fastest a
  straightforward loop gets.

Run: ``.venv/bin/python benchmarks/bench_instruments.py [--n 1000000] [--missing 0.05]``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core: "responses per second per core"

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from painmap.instruments import score, score_batch  # noqa: E402

SPEC = {  # id: (items, lowest value, highest value)
    "odi": (10, 0, 5),
    "pcs": (13, 0, 4),
    "startback": (9, 0, 1),
}


def make_answers(iid: str, n: int, missing: float, rng: np.random.Generator) -> np.ndarray:
    items, lo, hi = SPEC[iid]
    x = rng.integers(lo, hi + 1, size=(n, items)).astype(np.float64)
    if iid == "startback":
        x[:, 8] = rng.integers(0, 5, size=n)  # item 9 is 0-4
    if missing > 0:
        x[rng.random((n, items)) < missing] = np.nan
    return x


def bare_loop(iid: str, rows: list[list[Any]]) -> list[float | None]:
    """A straightforward per-response scorer (no result model), for comparison."""
    out: list[float | None] = []
    items, lo, hi = SPEC[iid]
    for row in rows:
        answered = [v for v in row if v is not None]
        for k, v in enumerate(row):
            top = 4 if (iid == "startback" and k == 8) else hi
            if v is not None and not (lo <= v <= top):
                raise ValueError(f"answers[{k}]")
        if iid == "odi":
            ok = items - len(answered) <= 1
            out.append(sum(answered) / (5 * len(answered)) * 100 if ok else None)
        elif iid == "startback":
            if len(answered) < items:
                out.append(None)
            else:
                out.append(sum(row[:8]) + (1 if row[8] >= 3 else 0))
        else:
            out.append(None if len(answered) < items else sum(answered))
    return out


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (this process) over ``repeat`` runs.

    On a shared, loaded machine the CPU time is the fairer per-core figure: it counts
    only the time the single scoring thread actually ran.
    """
    wall = cpu = math.inf
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="responses per instrument")
    parser.add_argument("--sample", type=int, default=20_000, help="loop subsample size")
    parser.add_argument("--missing", type=float, default=0.0, help="share of missing answers")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    print(f"{args.n:,} responses per instrument, {args.missing:.0%} missing answers, "
          f"1 core; loops timed on {args.sample:,} responses and extrapolated")
    print("times in CPU seconds of this process (wall seconds in brackets); loops extrapolated")
    print(f"{'instrument':<10} {'batch s':>15} {'batch resp/s/core':>18} "
          f"{'score() loop s':>15} {'bare loop s':>12} {'x vs score()':>13} {'x vs bare':>10}")
    for iid in SPEC:
        x = make_answers(iid, args.n, args.missing, rng)
        sub = x[: args.sample]
        rows = [[None if math.isnan(v) else int(v) for v in r] for r in sub.tolist()]

        def run_batch(iid: str = iid, x: np.ndarray = x) -> None:
            score_batch(iid, x)

        def run_api(iid: str = iid, rows: list[list[Any]] = rows) -> None:
            for r in rows:
                score(iid, r)

        def run_bare(iid: str = iid, rows: list[list[Any]] = rows) -> None:
            bare_loop(iid, rows)

        w_batch, t_batch = best_of(run_batch, args.repeat)
        t_api = best_of(run_api, 1)[1] * args.n / len(rows)
        t_bare = best_of(run_bare, args.repeat)[1] * args.n / len(rows)
        # Same results on the subsample (a benchmark of wrong answers is worthless).
        batch = score_batch(iid, sub)
        api = [score(iid, r).score for r in rows[:2000]]
        assert all((a is None and math.isnan(b)) or a == b
                   for a, b in zip(api, batch.score[:2000].tolist(), strict=True))
        batch_txt = f"{t_batch:.3f} ({w_batch:.3f})"
        print(f"{iid:<10} {batch_txt:>15} {args.n / t_batch:>18,.0f} {t_api:>15.1f} "
              f"{t_bare:>12.2f} {t_api / t_batch:>13,.0f} {t_bare / t_batch:>10,.1f}")


if __name__ == "__main__":
    main()
