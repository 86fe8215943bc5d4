"""Benchmark: cohort outcomes of 100k patients x 5 visits, read from a SQLite store.

Usage::

    .venv/bin/python benchmarks/bench_outcomes.py [--patients 100000] [--rebuild]

The database is built once and cached in the temp directory (building it is not what is
measured): a 2,000-patient synthetic demo cohort stored through the store, replicated
inside SQLite under new ids to the requested size (each patient: baseline, treatment,
1/3/6/12-month visits, some missed). Then it
times the full ``painmap outcomes cohort`` pipeline (store -> pandas via the typed
columns, DuckDB outcome table, durability + Kaplan-Meier, mixed models on a 3,000-patient
sample, TSVs and PNGs) stage by stage in this process, then the real command
``painmap outcomes cohort --out DIR`` in a fresh process (Python start-up, imports, the
CLI; the figure the target is about) and, as the in-run baseline on the same database, the
row-by-row path (load each ``Patient`` and compute its outcomes) on a sample, extrapolated.
Wall and CPU seconds are printed with the load average, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from painmap.demo import generate_cohort
from painmap.outcomes import patient_outcomes
from painmap.report.cohort import cohort_report
from painmap.report.cohort_data import read_frames
from painmap.store import cli_actor, open_store

BASE = 2000


def build(path: Path, n: int) -> None:
    """Create the benchmark database with ``n`` patients (a multiple of ``BASE``).

    ``BASE`` demo patients go in through the store (scored, audited); the rest are
    copies made inside SQLite under new patient ids (setup only, not measured).
    """
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    with open_store(url, create=True) as store:
        store.add_patients(generate_cohort(min(BASE, n), seed=1), actor=cli_actor())
    con = sqlite3.connect(path)
    try:
        with con:
            for k in range(1, -(-n // BASE)):
                sfx = f"-r{k:03d}"
                con.execute("INSERT INTO patients SELECT id || ?, birth_year, sex, pain_onset "
                            "FROM patients WHERE id NOT LIKE '%-r%'", (sfx,))
                con.execute("INSERT INTO encounters SELECT patient_id || ?, encounter_id, date "
                            "FROM encounters WHERE patient_id NOT LIKE '%-r%'", (sfx,))
                cols = [r[1] for r in con.execute("PRAGMA table_info(records)")][1:]
                con.execute(f"INSERT INTO records SELECT patient_id || ?, {', '.join(cols)} "
                            "FROM records WHERE patient_id NOT LIKE '%-r%'", (sfx,))
        enc = con.execute("SELECT count(*) FROM encounters").fetchone()[0]
        rec = con.execute("SELECT count(*) FROM records").fetchone()[0]
        pts = con.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        con.close()
    print(f"built {path}: {pts} patients, {enc} encounters, {rec} records "
          f"in {time.perf_counter() - t0:.1f} s (setup, not measured)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--baseline-sample", type=int, default=200)
    args = ap.parse_args()
    path = Path(tempfile.gettempdir()) / f"painmap-bench-outcomes-{args.patients}.db"
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(path, args.patients)
    url = f"sqlite:///{path}"
    actor = cli_actor()
    print(f"machine: {os.cpu_count()} cores, CPU only; load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")

    with open_store(url) as store:
        t0 = time.perf_counter()
        c0 = time.process_time()
        frames = read_frames(store, actor=actor)
        t_read = time.perf_counter() - t0
    print(f"read from store: {len(frames.patients)} patients, {len(frames.scores)} scores, "
          f"{len(frames.treatments)} treatments in {t_read:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU")
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        c1 = time.process_time()
        res = cohort_report(frames, Path(tmp) / "out", by="treatment", model=False)
        t_rep = time.perf_counter() - t1
        print(f"outcome table + responder rates + trajectories + durability + KM + TSVs + "
              f"PNGs: {t_rep:.1f} s wall, {time.process_time() - c1:.1f} s CPU")
        t3 = time.perf_counter()
        c3 = time.process_time()
        res = cohort_report(frames, Path(tmp) / "out2", by="treatment", model=True)
        t_all = time.perf_counter() - t3
    print(f"same plus mixed models (nrs, odi; 3,000-patient sample): {t_all:.1f} s wall, "
          f"{time.process_time() - c3:.1f} s CPU; models: {[m.outcome for m in res.models]}")
    print(f"in-process total (read + the run with models): {t_read + t_all:.1f} s wall")

    # the real command, in a fresh process: start-up, imports, CLI, read, everything
    cli = Path(sys.executable).with_name("painmap")
    with tempfile.TemporaryDirectory() as tmp:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t4 = time.perf_counter()
        subprocess.run([str(cli), "outcomes", "cohort", "--out", str(Path(tmp) / "cli"),
                        "--database", url], check=True, stdout=subprocess.DEVNULL)
        t_cli = time.perf_counter() - t4
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_cli = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(f"FULL cohort command, fresh process (painmap outcomes cohort --out DIR): "
          f"{t_cli:.1f} s wall, {cpu_cli:.1f} s CPU (target <= 60 s); load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # in-run baseline: the per-patient path (Patient objects, one at a time)
    with open_store(url) as store:
        t2 = time.perf_counter()
        k = 0
        for p in islice(store.iter_patients(), args.baseline_sample):
            patient_outcomes(p, rank=False)
            k += 1
        t_row = time.perf_counter() - t2
    per = t_row / max(k, 1)
    print(f"baseline, row by row (load Patient + its outcomes, no ranking, no models): "
          f"{per * 1000:.1f} ms/patient over {k} patients -> "
          f"{per * len(frames.patients):.0f} s extrapolated to {len(frames.patients)} patients")


if __name__ == "__main__":
    main()
