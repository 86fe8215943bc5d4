"""Group commit benchmark: audited store writes one transaction each vs in groups.

The web app runs every audited request as a unit of
:class:`painmap.store.group_commit.GroupCommit`. This script measures, on an SQLite file
in a temporary folder (WAL, ``synchronous=FULL``, as the store always opens it):

1. **One thread**: ``Store.add_record`` called directly (its own transaction) vs the
   same call as a group-commit unit (then alone in its transaction): the committer's own
   cost per request.
2. **Concurrent threads** (``--threads``, default 8, each ``--per-thread`` writes):
   the baseline is what the web app did before, each write its own transaction taken
   in turn under one lock; then the same writes through one ``GroupCommit``. Reported:
   wall and CPU per write, and the mean units per committed transaction.

The durable one-row commit of the disk is measured at the start, since the gain of
sharing commits grows with it. Each mode runs twice, alternately, in the same process.
Run: ``.venv/bin/python benchmarks/bench_group_commit.py [--threads 8]
[--per-thread 100]``. Speed is never asserted; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from painmap.record.models import Encounter, InstrumentRecord, Patient
from painmap.store import Actor, open_store
from painmap.store.audit import verify_chain
from painmap.store.group_commit import GroupCommit


def _timed(fn: Callable[[], None], n: int) -> tuple[float, float]:
    """Wall and CPU ms per call of ``fn`` (``n`` calls)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return ((time.perf_counter() - wall0) / n * 1000, (time.process_time() - cpu0) / n * 1000)


def _threaded(fn: Callable[[], None], threads: int, per_thread: int) -> tuple[float, float]:
    """Wall and CPU ms per call with ``threads`` threads calling ``fn`` at once."""
    def work() -> None:
        for _ in range(per_thread):
            fn()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    n = threads * per_thread
    return ((time.perf_counter() - wall0) / n * 1000, (time.process_time() - cpu0) / n * 1000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--per-thread", type=int, default=100)
    ap.add_argument("--single", type=int, default=300, help="calls in the one-thread part")
    args = ap.parse_args()

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_web import print_commit_latency

    folder = Path(tempfile.mkdtemp(prefix="painmap-bench-group-"))
    print_commit_latency(folder, "start")
    store = open_store(f"sqlite:///{folder / 'g.db'}", create=True)
    actor = Actor("bench", "clinician")
    store.add_patient(Patient(id="p1", birth_year=1970, sex="female"), actor=actor)
    store.add_encounter("p1", Encounter(id="v1", date=date(2030, 1, 1)), actor=actor)
    record = InstrumentRecord(instrument="nrs", answers=[4])
    group = GroupCommit(store.engine)
    lock = threading.Lock()

    def direct() -> None:
        store.add_record("p1", "v1", record, actor=actor)

    def in_turn() -> None:
        with lock:
            store.add_record("p1", "v1", record, actor=actor)

    def grouped() -> None:
        group.run(lambda _s: store.add_record("p1", "v1", record, actor=actor))

    for fn in (direct, grouped):
        _timed(fn, 20)  # warm-up
    print(f"\nOne thread, {args.single} writes each (ms per write):")
    print("| mode | round | wall | CPU |")
    print("|---|---|---|---|")
    for rnd in (1, 2):
        for name, fn in (("own transaction (baseline)", direct), ("group-commit unit", grouped)):
            wall, cpu = _timed(fn, args.single)
            print(f"| {name} | {rnd} | {wall:.3f} | {cpu:.3f} |", flush=True)

    print(f"\n{args.threads} threads x {args.per_thread} writes (ms per write):")
    print("| mode | round | wall | CPU | units per transaction |")
    print("|---|---|---|---|---|")
    for rnd in (1, 2):
        for name, fn in (("own transaction each, in turn (baseline)", in_turn),
                         ("group commit", grouped)):
            group.transactions = group.units = 0
            wall, cpu = _threaded(fn, args.threads, args.per_thread)
            per = f"{group.units / group.transactions:.1f}" if group.transactions else "1"
            print(f"| {name} | {rnd} | {wall:.3f} | {cpu:.3f} | {per} |", flush=True)

    with store.session() as s:
        report = verify_chain(s)
    print(f"\naudit chain: {'ok' if report.ok else 'BROKEN'}, {report.rows} rows; "
          f"load average {os.getloadavg()[0]:.2f}")
    store.close()


if __name__ == "__main__":
    main()
