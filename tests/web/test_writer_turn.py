"""The web app's writer turn: re-entrant in a thread, exclusive across processes."""

from __future__ import annotations

import fcntl
import multiprocessing as mp
import os
import time
from pathlib import Path

from painmap.web.core.db import Database, WriterTurn


def _hold(lock_path: str, log: str, name: str, hold: float, ready: object) -> None:
    turn = WriterTurn(Path(lock_path))
    if name == "second":
        ready.wait()  # type: ignore[attr-defined]
    with turn:
        if name == "first":
            ready.set()  # type: ignore[attr-defined]
        with open(log, "a") as fh:
            fh.write(f"{name} in {time.monotonic():.6f}\n")
        time.sleep(hold)
        with open(log, "a") as fh:
            fh.write(f"{name} out {time.monotonic():.6f}\n")


def test_turn_excludes_other_processes(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    lock, log = str(tmp_path / "db.writer-lock"), str(tmp_path / "log")
    a = ctx.Process(target=_hold, args=(lock, log, "first", 0.4, ready))
    b = ctx.Process(target=_hold, args=(lock, log, "second", 0.0, ready))
    a.start()
    b.start()
    a.join(10)
    b.join(10)
    assert a.exitcode == 0 and b.exitcode == 0
    events = [line.split()[:2] for line in Path(log).read_text().splitlines()]
    # the second process entered only after the first left: never interleaved
    assert events == [["first", "in"], ["first", "out"], ["second", "in"], ["second", "out"]]


def _free(path: Path) -> bool:
    """Whether another open file description can take the lock now (without waiting)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_turn_is_reentrant_and_releases_on_outermost_exit(tmp_path: Path) -> None:
    path = tmp_path / "x.writer-lock"
    turn = WriterTurn(path)
    with turn:
        assert not _free(path)
        with turn:  # re-entrant: no deadlock
            assert not _free(path)
        assert not _free(path)  # still held until the outermost exit
    assert _free(path)


def test_database_uses_a_lock_file_beside_sqlite(tmp_path: Path) -> None:
    from painmap.store import open_store

    url = f"sqlite:///{tmp_path / 'p.db'}"
    open_store(url, create=True).close()
    db = Database(url)
    with db.tx():  # takes the writer turn
        pass
    assert (tmp_path / "p.db.writer-lock").exists()
    db.store.close()



def _write_units(url: str, name: str, threads: int, per_thread: int) -> int:
    """Audited units from several threads of one process, through ``Database.write``.

    Returns the number of units that raised (a forked child exits with it).
    """
    import threading
    from datetime import date

    from painmap.record.models import Encounter, InstrumentRecord
    from painmap.store import Actor

    db = Database(url)
    pid = db.store.patient_ids()[0]
    errors: list[BaseException] = []

    def work(t: int) -> None:
        for i in range(per_thread):
            who = Actor(f"{name}{t}-{i}", "clinician")
            try:
                if i % 3 == 0:  # a new encounter, then a record in it, then a read
                    enc = Encounter(id=who.name, date=date(2030, 1, 1 + i))
                    db.write(lambda _s, who=who, enc=enc: db.store.add_encounter(
                        pid, enc, actor=who))
                elif i % 3 == 1:
                    rec = InstrumentRecord(instrument="nrs", answers=[t % 11])
                    db.write(lambda _s, who=who, rec=rec, i=i: db.store.add_record(
                        pid, f"{name}{t}-{i - 1}", rec, actor=who))
                else:
                    db.write(lambda _s, who=who: db.store.chart(pid, actor=who))
            except BaseException as exc:
                errors.append(exc)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(120)
    db.store.close()
    return len(errors)


def _child(url: str, name: str, threads: int, per_thread: int) -> None:
    raise SystemExit(min(_write_units(url, name, threads, per_thread), 100))


def test_group_writes_of_threads_in_two_processes_keep_one_chain(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from painmap.record.models import Patient
    from painmap.store import Actor, open_store
    from painmap.store.audit import AuditRow, verify_chain

    url = f"sqlite:///{tmp_path / 'g.db'}"
    with open_store(url, create=True) as store:
        store.add_patient(Patient(id="p1", birth_year=1970, sex="female"),
                          actor=Actor("test:setup", "admin"))
    ctx = mp.get_context("fork")
    other = ctx.Process(target=_child, args=(url, "b", 6, 6))
    other.start()
    assert _write_units(url, "a", 6, 6) == 0
    other.join(120)
    assert other.exitcode == 0
    with open_store(url) as store, store.session() as s:
        report = verify_chain(s)
        assert report.ok, report
        assert report.rows == 1 + 2 * 6 * 6
        per_actor = s.execute(
            select(AuditRow.actor, func.count()).group_by(AuditRow.actor)
        ).all()
    assert all(n == 1 for _, n in per_actor)
    assert len(per_actor) == 1 + 2 * 6 * 6
    with open_store(url) as store:
        assert store.count_encounters() == 2 * 6 * 2
        assert store.count_records() == 2 * 6 * 2
