"""Paired import benchmark: this tree's `import_ndjson` against another tree's, alternately.

Run: ``.venv/bin/python benchmarks/bench_import_paired.py --other-src /tmp/old/src
[--encounters 100000] [--rounds 2] [--workers 2]``, where ``/tmp/old`` is, for example,
``git worktree add /tmp/old <commit>``. Both import the same synthetic NDJSON file (the
cohort of ``bench_store.py``) into a new SQLite database, each in a fresh process,
alternating other/this ``--rounds`` times, so that both see the same machine. This
virtual machine's speed drifts by up to 2x over hours, which is why a change is judged
by such pairs and not by figures taken at different times.

Speed is never asserted; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from bench_store import synthetic_lines
except ImportError:  # run as part of `python -m benchmarks`
    from benchmarks.bench_store import synthetic_lines

CHILD = r"""
import os, resource, sys, time
from painmap.interop.ndjson_import import import_ndjson
from painmap.store import Actor, open_store

src, db, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = f"sqlite:///{db}"
open_store(url, create=True).close()
with open_store(url) as store:
    wall, cpu = time.perf_counter(), time.process_time()
    import_ndjson(store, src, actor=Actor("bench:import", "admin"), workers=workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.2f} {cpu:.2f} {kids.ru_utime + kids.ru_stime:.2f}")
"""


def run(src_tree: str, ndjson: Path, work: Path, workers: int) -> tuple[float, float, float]:
    """Import ``ndjson`` with the code under ``src_tree``; wall, main CPU, workers' CPU."""
    db = work / "paired.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": src_tree}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ndjson), str(db), str(workers)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wall, cpu, kids = (float(v) for v in out)
    return wall, cpu, kids


def main() -> None:
    """Run the pairs and print one line per import."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other-src", help="src/ folder of the code to compare")
    ap.add_argument("--encounters", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    args, _ = ap.parse_known_args()
    if args.other_src is None:
        print("bench_import_paired: give --other-src OLD/src (a `git worktree` of another commit)")
        return
    this_src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory(prefix="painmap-bench-paired-") as tmp:
        work = Path(tmp)
        ndjson = work / "cohort.ndjson"
        ndjson.write_text("\n".join(synthetic_lines(args.encounters)) + "\n")
        per_m = 1_000_000 / args.encounters
        print(f"{args.encounters} encounters, {args.workers} workers; per 1M encounters:")
        for r in range(args.rounds):
            for name, tree in (("other", args.other_src), ("this", this_src)):
                wall, cpu, kids = run(tree, ndjson, work, args.workers)
                load = os.getloadavg()[0]
                print(
                    f"round {r + 1} {name:5s} wall {wall * per_m:6.1f} s  CPU {cpu * per_m:6.1f} s"
                    f" importer + {kids * per_m:6.1f} s workers  (load average {load:.2f})"
                )


if __name__ == "__main__":
    main()
