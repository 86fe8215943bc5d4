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
    with db.writing():
        pass
    assert (tmp_path / "p.db.writer-lock").exists()
    db.store.close()

