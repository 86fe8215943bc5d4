"""Store benchmark: bulk import, and one patient's timeline in a 1M-encounter SQLite DB.

Run: ``.venv/bin/python benchmarks/bench_store.py [--encounters 100000]
[--timeline-encounters 1000000] [--baseline-encounters 2000]``.

1. Import: a synthetic cohort (5 visits per patient; each visit has a pain drawing with
   region marks and freehand strokes, an NRS and one more questionnaire, and about one
   clinical record: exam, imaging, block, treatment...) is written as NDJSON, then
   imported the way ``painmap import`` does it: every line validated, then the store's
   bulk path in one transaction (instrument scoring and audit rows included). The
   store-only time (already-validated patients) is reported separately.
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
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from painmap.bodymap import REGION_IDS
from painmap.interop.ndjson import read_ndjson, validate_file
from painmap.store import Actor, open_store
from painmap.store.repository import paused_gc
from painmap.store.tables import EncounterRow, PatientRow, RecordRow

ACTOR = Actor("bench:store", "admin")
VISITS = 5


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


def naive_orm_insert(url: str, patients: list, limit: int) -> tuple[int, float]:  # type: ignore[type-arg]
    """Baseline: one ORM object per row, session.add, one transaction, scored one by one."""
    from painmap.store.columns import record_columns

    store = open_store(url, create=True)
    n = 0
    start = time.perf_counter()
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
    elapsed = time.perf_counter() - start
    store.close()
    return n, elapsed


def grow(url: str, target: int) -> tuple[int, float]:
    """Copy the imported rows with new ids until ``target`` encounters exist."""
    store = open_store(url)
    start = time.perf_counter()
    base = store.count_encounters()
    copies = 0
    with store.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        while base * (copies + 1) < target:
            copies += 1
            s = f"'~{copies}'"
            conn.execute(
                text(
                    f"INSERT INTO patients SELECT id || {s}, birth_year, sex, pain_onset "
                    "FROM patients WHERE id NOT LIKE '%~%'"
                )
            )
            conn.execute(
                text(
                    f"INSERT INTO encounters SELECT patient_id || {s}, encounter_id, date "
                    "FROM encounters WHERE patient_id NOT LIKE '%~%'"
                )
            )
            cols = [c.name for c in RecordRow.__table__.columns if c.name != "patient_id"]
            conn.execute(
                text(
                    f"INSERT INTO records (patient_id, {', '.join(cols)}) "
                    f"SELECT patient_id || {s}, {', '.join(cols)} FROM records "
                    "WHERE patient_id NOT LIKE '%~%'"
                )
            )
    elapsed = time.perf_counter() - start
    n = store.count_encounters()
    store.close()
    return n, elapsed


def timeline_times(url: str, ids: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per patient: raw two-query read, and Store.timeline in full."""
    store = open_store(url)
    raw, full = [], []
    with store.engine.connect() as conn:
        for pid in ids:
            t = time.perf_counter()
            conn.execute(text("SELECT * FROM encounters WHERE patient_id = :p"), {"p": pid}).all()
            conn.execute(
                text("SELECT * FROM records WHERE patient_id = :p ORDER BY encounter_id, position"),
                {"p": pid},
            ).all()
            raw.append((time.perf_counter() - t) * 1000)
        conn.rollback()
    for pid in ids:
        t = time.perf_counter()
        entries = store.timeline(pid, actor=ACTOR)
        full.append((time.perf_counter() - t) * 1000)
        assert entries
    store.close()
    return raw, full


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
    args, _ = ap.parse_known_args()

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

    # 1. import as `painmap import` does: validate every line, then write in one transaction
    t0 = time.perf_counter()
    with paused_gc():
        summary_ = validate_file(src, keep_up_to=0)
    t1 = time.perf_counter()
    with open_store(url) as store:
        with paused_gc():
            patients = list(read_ndjson(src))
        t2 = time.perf_counter()
        store.add_patients(patients, actor=ACTOR)
        t3 = time.perf_counter()
        records = store.count_records()
    per_m = 1_000_000 / args.encounters
    print(
        f"import {args.encounters} encounters ({records} records): "
        f"validate pass {t1 - t0:.1f} s, parse+validate {t2 - t1:.1f} s, "
        f"store write {t3 - t2:.1f} s"
    )
    cli_like = (t1 - t0) + (t3 - t1)
    print(
        f"  painmap import path (validate, re-read, write): {cli_like:.1f} s "
        f"-> {cli_like * per_m:.0f} s per 1M encounters"
    )
    print(
        f"  store bulk write only: {t3 - t2:.1f} s -> {(t3 - t2) * per_m:.0f} s per 1M encounters"
    )
    assert summary_.encounters == args.encounters

    # 2. baseline on a sample of the same data
    base_url = f"sqlite:///{work / 'baseline.db'}"
    n, naive = naive_orm_insert(base_url, patients, args.baseline_encounters)
    sample = [p for p in patients[: n // VISITS]]
    fast_url = f"sqlite:///{work / 'fast.db'}"
    with open_store(fast_url, create=True) as fast_store:
        t = time.perf_counter()
        fast_store.add_patients(sample, actor=ACTOR)
        fast = time.perf_counter() - t
    print(
        f"baseline, {n} encounters: naive ORM insert {naive:.2f} s "
        f"({naive * 1_000_000 / n:.0f} s per 1M) vs bulk path {fast:.2f} s "
        f"({fast * 1_000_000 / n:.0f} s per 1M): {naive / fast:.1f}x"
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
    raw, full = timeline_times(url, ids)
    print(f"timeline of one patient in a {total}-encounter DB ({args.samples} random patients):")
    print(f"  two indexed queries: {summary(raw)}")
    print(f"  Store.timeline (models + scores + audited, fsync commit): {summary(full)}")
    print(f"(work files in {work}; delete when done)")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
