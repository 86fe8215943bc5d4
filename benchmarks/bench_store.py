"""Store benchmark: bulk import, and one patient's timeline in a 1M-encounter SQLite DB.

Run: ``.venv/bin/python benchmarks/bench_store.py [--encounters 100000]
[--timeline-encounters 1000000] [--baseline-encounters 2000] [--quick]``. The default
(the issue's sizes) takes several minutes on a 2-core machine; ``--quick`` uses a 20k
import and a 200k-encounter timeline database.

1. Import: a synthetic cohort (5 visits per patient; each visit has a pain drawing with
   region marks and freehand strokes, an NRS and one more questionnaire, and about one
   clinical record: exam, imaging, block, treatment...) is written as NDJSON, then
   imported the way ``painmap import`` does it (``import_ndjson``): one pass, each line
   validated once and written in the same transaction (instrument scoring and audit rows
   included), lines validated in worker processes while the main process writes. CPU
   time counts the workers too. The same import in one process, validation (with row
   building) alone and the store write of ready rows alone are reported separately.
2. Baseline, same run, same data: a naive ORM insert (one ORM object per row added
   to a session, one transaction) of the first ``--baseline-encounters`` encounters.
3. Timeline: the imported rows are copied (``INSERT ... SELECT`` with new ids) until the
   database holds ``--timeline-encounters`` encounters; then the timeline of random
   patients is read: the two primary-key range scans alone, and ``Store.timeline`` in
   full (validated models, stored scores, and an audit row committed with fsync).

Speed is never asserted; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from painmap.bodymap import REGION_IDS
from painmap.interop.ndjson import read_ndjson
from painmap.interop.ndjson_import import (
    CHUNK_BYTES,
    MAX_WORKERS,
    import_ndjson,
    prepare_range,
    spans,
)
from painmap.store import Actor, open_store
from painmap.store.repository import paused_gc
from painmap.store.tables import EncounterRow, PatientRow, RecordRow

ACTOR = Actor("bench:store", "admin")
VISITS = 5


@dataclass(frozen=True)
class Lap:
    """Wall-clock and CPU seconds of this process for one phase."""

    wall: float
    cpu: float

    def __add__(self, other: Lap) -> Lap:
        return Lap(self.wall + other.wall, self.cpu + other.cpu)

    def scaled(self, k: float) -> str:
        return f"{self.wall * k:.0f} s wall / {self.cpu * k:.0f} s CPU"

    def __str__(self) -> str:
        return f"{self.wall:7.1f} / {self.cpu:7.1f}"


def children_cpu() -> float:
    """CPU seconds of this process's finished child processes (the import's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Measures successive phases in wall-clock and CPU time.

    ``cpu`` is this process's CPU time plus that of child processes that finished in
    the phase (the worker processes of an import), so that work moved to workers is
    still counted; ``lap_workers`` gives the workers' share.
    """

    def __init__(self) -> None:
        self.wall, self.cpu, self.kids = time.perf_counter(), time.process_time(), children_cpu()
        self.last_kids = 0.0

    def lap(self) -> Lap:
        wall, cpu, kids = time.perf_counter(), time.process_time(), children_cpu()
        self.last_kids = kids - self.kids
        out = Lap(wall - self.wall, cpu - self.cpu + self.last_kids)
        self.wall, self.cpu, self.kids = wall, cpu, kids
        return out


def synthetic_lines(encounters: int, seed: int = 1) -> list[str]:
    """NDJSON lines of ``encounters // VISITS`` patients (plain JSON, built fast)."""
    rng = random.Random(seed)
    regions = [r for r in REGION_IDS if r.startswith("b_")] or list(REGION_IDS)
    # a pool of distinct freehand strokes, drawn from at random (fast to generate)
    pool = [
        [
            [round(rng.uniform(100, 300), 1), round(rng.uniform(300, 700), 1)]
            for _ in range(rng.randint(10, 40))
        ]
        for _ in range(2000)
    ]
    lines = []
    for i in range(encounters // VISITS):
        encs = []
        for j in range(VISITS):
            day = f"{2020 + j // 2}-{1 + (j * 5) % 12:02d}-{1 + i % 28:02d}"
            drawing = {
                "kind": "pain_drawing",
                "marks": [
                    {"id": r, "intensity": rng.randint(1, 10), "qualities": ["aching"]}
                    for r in rng.sample(regions, rng.randint(2, 8))
                ],
                "strokes": [
                    {
                        "view": "back",
                        "points": rng.choice(pool),
                        "width": 8.0,
                        "intensity": rng.randint(1, 10),
                    }
                    for _ in range(rng.randint(1, 3))
                ],
            }
            records: list[dict[str, object]] = [
                drawing,
                {"kind": "instrument", "instrument": "nrs", "answers": [rng.randint(0, 10)]},
            ]
            if j % 2 == 0:
                records.append(
                    {
                        "kind": "instrument",
                        "instrument": "odi",
                        "answers": [rng.randint(0, 5) for _ in range(10)],
                    }
                )
            else:
                records.append(
                    {
                        "kind": "instrument",
                        "instrument": "pcs",
                        "answers": [rng.randint(0, 4) for _ in range(13)],
                    }
                )
            extra = rng.choice(["exam", "imaging", "treatment", "block", None])
            if extra == "exam":
                records.append(
                    {
                        "kind": "exam",
                        "test": "slr",
                        "result": "positive",
                        "level": "L4-L5",
                        "side": "left",
                    }
                )
            elif extra == "imaging":
                records.append({"kind": "imaging", "finding": "modic1", "level": "L5-S1"})
            elif extra == "treatment":
                records.append({"kind": "treatment", "type": "physiotherapy", "start": day})
            elif extra == "block":
                records.append(
                    {
                        "kind": "block",
                        "type": "medial_branch",
                        "levels": ["L4-L5"],
                        "pre_pain": 7,
                        "post_pain": 2,
                    }
                )
            encs.append({"id": f"v{j + 1}", "date": day, "records": records})
        lines.append(
            json.dumps(
                {
                    "id": f"B{i:07d}",
                    "birth_year": 1950 + i % 50,
                    "sex": "female",
                    "pain_onset": "2019-06-01",
                    "encounters": encs,
                }
            )
        )
    return lines


def naive_orm_insert(url: str, patients: list, limit: int) -> tuple[int, Lap]:  # type: ignore[type-arg]
    """Baseline: one ORM object per row, session.add, one transaction, scored one by one."""
    from painmap.store.columns import record_columns

    store = open_store(url, create=True)
    n = 0
    clock = Clock()
    with Session(store.engine) as session, session.begin():
        for p in patients:
            if n >= limit:
                break
            session.add(
                PatientRow(
                    id=p.id, birth_year=p.birth_year, sex=str(p.sex), pain_onset=p.pain_onset
                )
            )
            session.flush()  # no relationship(): the unit of work needs the parent first
            for enc in p.encounters:
                session.add(EncounterRow(patient_id=p.id, encounter_id=enc.id, date=enc.date))
            session.flush()
            for enc in p.encounters:
                for pos, rec in enumerate(enc.records):
                    session.add(
                        RecordRow(
                            patient_id=p.id,
                            encounter_id=enc.id,
                            position=pos,
                            kind=rec.kind,
                            payload=rec.model_dump_json(),
                            **record_columns(rec),
                        )
                    )
                n += 1
    elapsed = clock.lap()
    store.close()
    return n, elapsed


def grow(url: str, target: int) -> tuple[int, float]:
    """Copy the imported rows with new ids until ``target`` encounters exist."""
    store = open_store(url)
    start = time.perf_counter()
    base = store.count_encounters()
    cols = [c.name for c in RecordRow.__table__.columns if c.name != "patient_id"]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        last = {
            t: conn.exec_driver_sql(f"SELECT max(rowid) FROM {t}").scalar()
            for t in ("patients", "encounters", "records")
        }
        copies = 0
        while base * (copies + 1) < target:
            copies += 1
            s = f"'-c{copies}'"
            conn.exec_driver_sql(
                f"INSERT INTO patients SELECT id || {s}, birth_year, sex, pain_onset "
                f"FROM patients WHERE rowid <= {last['patients']}"
            )
            conn.exec_driver_sql(
                f"INSERT INTO encounters SELECT patient_id || {s}, encounter_id, date "
                f"FROM encounters WHERE rowid <= {last['encounters']}"
            )
            conn.exec_driver_sql(
                f"INSERT INTO records (patient_id, {', '.join(cols)}) "
                f"SELECT patient_id || {s}, {', '.join(cols)} FROM records "
                f"WHERE rowid <= {last['records']}"
            )
    elapsed = time.perf_counter() - start
    n = store.count_encounters()
    store.close()
    return n, elapsed


def timeline_times(url: str, ids: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds per patient: the two indexed queries; the same plus validated models
    (no audit row); and ``Store.timeline`` in full (scores, audit row, fsync commit)."""
    store = open_store(url)
    raw, assembled, full = [], [], []
    with store.engine.connect() as conn:
        conn.execution_options(painmap_read_only=True)
        for pid in ids:
            t = time.perf_counter()
            conn.execute(text("SELECT * FROM encounters WHERE patient_id = :p"), {"p": pid}).all()
            conn.execute(
                text("SELECT * FROM records WHERE patient_id = :p ORDER BY encounter_id, position"),
                {"p": pid},
            ).all()
            raw.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            assert store._load(conn, [pid])
            assembled.append((time.perf_counter() - t) * 1000)
        conn.rollback()
    for pid in ids:
        t = time.perf_counter()
        entries = store.timeline(pid, actor=ACTOR)
        full.append((time.perf_counter() - t) * 1000)
        assert entries
    store.close()
    return raw, assembled, full


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms"


def main() -> None:
    """Run the benchmark and print its figures."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encounters", type=int, default=100_000)
    ap.add_argument("--timeline-encounters", type=int, default=1_000_000)
    ap.add_argument("--baseline-encounters", type=int, default=2_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="20k-encounter import and a 200k-encounter timeline DB (about 2 minutes)",
    )
    args, _ = ap.parse_known_args()
    if args.quick:
        args.encounters, args.timeline_encounters = 20_000, 200_000

    work = Path(tempfile.mkdtemp(prefix="painmap-bench-store-"))
    src = work / "cohort.ndjson"
    t = time.perf_counter()
    lines = synthetic_lines(args.encounters)
    src.write_text("\n".join(lines) + "\n")
    print(
        f"cohort: {len(lines)} patients, {args.encounters} encounters, "
        f"{src.stat().st_size / 1e6:.0f} MB NDJSON (generated in {time.perf_counter() - t:.1f} s)"
    )

    url = f"sqlite:///{work / 'bench.db'}"
    open_store(url, create=True).close()

    # 1. import as `painmap import` does: one pass, each line validated once and written
    #    in the same transaction (instrument scoring and audit rows included); lines are
    #    validated in worker processes (one per CPU) while this process writes
    per_m = 1_000_000 / args.encounters
    clock = Clock()
    with open_store(url) as store:
        summary_ = import_ndjson(store, src, actor=ACTOR)
        whole = clock.lap()
        workers_cpu = clock.last_kids
        records = store.count_records()
    assert summary_.encounters == args.encounters
    # the same import in one process (no workers), into a second database
    one_url = f"sqlite:///{work / 'one.db'}"
    open_store(one_url, create=True).close()
    clock = Clock()
    with open_store(one_url) as store:
        import_ndjson(store, src, actor=ACTOR, workers=0)
        single = clock.lap()
    (work / "one.db").unlink()
    # the two halves measured alone, in this process: validate the lines and build their
    # rows; then the store write of those ready rows (a third database)
    clock = Clock()
    with paused_gc():
        prepared = [prepare_range(src, *span) for span in spans(src)]
    validate = clock.lap()
    assert sum(p.encounters for p in prepared) == args.encounters
    write_url = f"sqlite:///{work / 'write.db'}"
    with open_store(write_url, create=True) as write_store:
        clock = Clock()
        write_store.add_row_batches([p.rows for p in prepared], actor=ACTOR)
        write = clock.lap()
    (work / "write.db").unlink()
    del prepared
    print(f"import {args.encounters} encounters ({records} records), wall s / CPU s:")
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    print(
        f"  painmap import ({workers} workers) {whole}  -> per 1M encounters "
        f"{whole.scaled(per_m)} (CPU: {whole.cpu - workers_cpu:.1f} s this process, "
        f"{workers_cpu:.1f} s workers)"
    )
    print(f"  same, one process       {single}  -> per 1M encounters {single.scaled(per_m)}")
    print(f"  alone: validate + rows  {validate}  -> per 1M encounters {validate.scaled(per_m)}")
    print(f"  alone: store write      {write}  -> per 1M encounters {write.scaled(per_m)}")
    print(f"  ({CHUNK_BYTES / 1e6:g} MB of lines per chunk)")
    with paused_gc():
        patients = list(islice(read_ndjson(src), args.baseline_encounters // VISITS + 1))

    # 2. baseline on a sample of the same data
    base_url = f"sqlite:///{work / 'baseline.db'}"
    n, naive = naive_orm_insert(base_url, patients, args.baseline_encounters)
    sample = patients[: n // VISITS]
    fast_url = f"sqlite:///{work / 'fast.db'}"
    with open_store(fast_url, create=True) as fast_store:
        clock = Clock()
        fast_store.add_patients(sample, actor=ACTOR)
        fast = clock.lap()
    print(
        f"baseline on the first {n} encounters, wall s / CPU s: naive ORM insert {naive} "
        f"(per 1M {naive.scaled(1e6 / n)}) vs bulk path {fast} (per 1M {fast.scaled(1e6 / n)}); "
        f"speed-up {naive.wall / fast.wall:.1f}x wall, {naive.cpu / fast.cpu:.1f}x CPU"
    )
    del patients

    # 3. grow to the timeline size and time single-patient timelines
    total, grow_s = grow(url, args.timeline_encounters)
    print(
        f"grew the database to {total} encounters by INSERT ... SELECT in {grow_s:.1f} s "
        f"({(work / 'bench.db').stat().st_size / 1e9:.2f} GB)"
    )
    rng = random.Random(3)
    with open_store(url) as store:
        ids = rng.sample(store.patient_ids(), args.samples)
    raw, assembled, full = timeline_times(url, ids)
    print(f"timeline of one patient in a {total}-encounter DB ({args.samples} random patients):")
    print(f"  two indexed queries: {summary(raw)}")
    print(f"  queries + validated Patient model (no audit): {summary(assembled)}")
    print(f"  Store.timeline (models + scores + audited, fsync commit): {summary(full)}")
    print(f"(work files in {work}; delete when done)")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
