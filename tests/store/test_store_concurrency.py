"""Concurrent writers and readers keep one linear audit chain (SQLite, several processes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from painmap_synth import cohort

from painmap.store import Actor, open_store
from painmap.store.audit import verify_chain

WORKER = r"""
import sys
from datetime import date
from painmap.record.models import Encounter, InstrumentRecord
from painmap.store import Actor, open_store

url, name, ids = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
actor = Actor(f"test:{name}", "clinician")
with open_store(url) as store:
    for i in range(8):
        pid = ids[i % len(ids)]
        store.add_encounter(pid, Encounter(id=f"{name}{i}", date=date(2030, 1, 1 + i)), actor=actor)
        store.add_record(pid, f"{name}{i}", InstrumentRecord(instrument="nrs", answers=[i % 11]),
                         actor=actor)
        store.get_patient(pid, actor=actor)
"""


def test_concurrent_processes_keep_the_audit_chain_linear(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'conc.db'}"
    patients = cohort(4, seed=30)
    with open_store(url, create=True) as store:
        store.add_patients(patients, actor=Actor("test:setup", "admin"))
    ids = ",".join(p.id for p in patients)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, name, ids],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b", "c")
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with open_store(url) as store, store.session() as s:
        report = verify_chain(s)
        assert report.ok, report
        assert report.rows == 4 + 3 * 8 * 3
        assert store.count_encounters() == sum(len(p.encounters) for p in patients) + 24
