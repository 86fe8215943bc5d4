"""Durability: SIGKILL a process in the middle of a large import, many times.

Each round a child process imports the same cohort under a new id prefix (one
transaction, the production SQLite settings) and is killed at a random moment of its
write. Afterwards ``PRAGMA integrity_check`` must be ok, the audit chain must verify,
and the round's import must be either entirely present or entirely absent.

This covers application crashes. Power loss is what ``synchronous=FULL`` is for and
cannot be simulated by killing a process.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from painmap_synth import cohort

from painmap.store import open_store
from painmap.store.audit import verify_chain

CHILD = r"""
import sys
from painmap.interop.ndjson import read_ndjson
from painmap.store import Actor, open_store

url, path, prefix = sys.argv[1:4]
store = open_store(url)
patients = (p.model_copy(update={"id": prefix + p.id}) for p in read_ndjson(path))
print("writing", flush=True)
store.add_patients(patients, actor=Actor("test:kill", "admin"),
                   progress=lambda n: print(n, flush=True))
print("committed", flush=True)
"""

PATIENTS = 300
KILLS = 10


def _counts(db: Path, prefix: str) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        like = prefix + "%"
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t} WHERE {c} LIKE ?", (like,)).fetchone()[0]
            for t, c in (
                ("patients", "id"),
                ("encounters", "patient_id"),
                ("records", "patient_id"),
            )
        )


def _run(url: str, src: Path, prefix: str, kill_after: float | None) -> tuple[int, float]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(src), prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    start = time.perf_counter()
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=120)
    return child.returncode, time.perf_counter() - start


@pytest.mark.slow
def test_sigkill_during_import_is_all_or_nothing(tmp_path: Path) -> None:
    src = tmp_path / "cohort.ndjson"
    patients = cohort(PATIENTS, seed=13)
    src.write_text("".join(p.model_dump_json() + "\n" for p in patients))
    n_enc = sum(len(p.encounters) for p in patients)
    n_rec = sum(len(e.records) for p in patients for e in p.encounters)
    db = tmp_path / "kill.db"
    url = f"sqlite:///{db}"
    open_store(url, create=True).close()

    # a full run gives the duration of the write
    code, duration = _run(url, src, "full-", None)
    assert code == 0
    assert _counts(db, "full-") == (PATIENTS, n_enc, n_rec)

    rng = random.Random(2026)
    outcomes: list[tuple[int, int]] = []
    i = 0
    # keep killing (at least KILLS times, at most 3 * KILLS) until at least 3 kills have
    # landed mid-write: how many do depends on the machine's speed, not on the code
    while i < KILLS or (
        i < 3 * KILLS
        and sum(1 for code, n in outcomes if code == -signal.SIGKILL and n == 0) < 3
    ):
        prefix = f"k{i}-"
        i += 1
        code, _ = _run(url, src, prefix, rng.uniform(0.0, 0.8 * duration))
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = _counts(db, prefix)
        assert counts in ((0, 0, 0), (PATIENTS, n_enc, n_rec)), (i, code, counts)
        outcomes.append((code, counts[0]))
    # the test has power only if kills land mid-write (the process died, nothing of its
    # import is there); most do, as the kill time is uniform over the write
    assert sum(1 for code, n in outcomes if code == -signal.SIGKILL and n == 0) >= 3
    with open_store(url) as store:
        with store.session() as s:
            assert verify_chain(s).ok
        complete = 1 + sum(1 for _, n in outcomes if n == PATIENTS)
        assert store.count_patients() == complete * PATIENTS
