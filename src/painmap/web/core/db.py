"""Database access of the web app: the store facade plus short transactions.

SQLite transactions in painmap start with ``BEGIN IMMEDIATE`` (one writer at a time),
so the web app keeps every transaction short: authentication, session updates and each
store call run in their own transaction, never nested. Transactions that only read and
append no audit row (the session check) use :meth:`Database.read`, which begins
deferred and so never waits for, or blocks, a writer.

Writers take turns on a lock (:meth:`Database.writing`) before they ask SQLite for its
write lock. SQLite makes a blocked writer poll with sleeps of up to 100 ms, so under load
a writer could wait far longer than the writes ahead of it take; the lock queues the
writers instead and wakes the next one at once. For an SQLite file the turn is also taken
across processes, with an advisory ``flock`` on ``<database>.writer-lock`` (POSIX), so
the workers of ``painmap serve --workers N`` queue rather than poll. Writers that do not
take the turn (the CLI) still meet at SQLite's own lock, which stays the guarantee.

Audited patient reads and writes go through :meth:`Database.write`, a group commit
(:class:`painmap.store.group_commit.GroupCommit`): on SQLite the units of concurrent
requests in a worker share one transaction and one fsync'd commit, each in its own
savepoint, and each request is answered only after that commit. On PostgreSQL each unit
keeps a transaction of its own (a group of one).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from painmap.store import Store, open_store
from painmap.store.engine import READ_ONLY
from painmap.store.group_commit import MAX_UNITS, GroupCommit

T = TypeVar("T")


class WriterTurn:
    """A re-entrant writer turn: a thread lock, plus a file lock shared by processes.

    Parameters
    ----------
    lock_path : Path, optional
        File whose exclusive ``flock`` is held during the outermost turn of a thread;
        None (or a platform without ``fcntl``) uses the thread lock alone.
    """

    def __init__(self, lock_path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._path = lock_path
        self._fd: int | None = None
        self._pid = os.getpid()

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                self._flock(True)
        except BaseException:
            self._lock.release()
            raise
        self._depth += 1

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                self._flock(False)
        finally:
            self._lock.release()

    def _flock(self, take: bool) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: the thread lock alone
            self._path = None
            return
        if self._fd is not None and self._pid != os.getpid():
            # forked: the descriptor (and its lock) is shared with the parent; open anew
            os.close(self._fd)
            self._fd = None
        if self._fd is None:
            if not take or self._path is None:
                return
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            except OSError:  # read-only folder: SQLite's own lock still applies
                self._path = None
                return
        fcntl.flock(self._fd, fcntl.LOCK_EX if take else fcntl.LOCK_UN)


def _writer_lock_path(engine: Engine) -> Path | None:
    """``<database>.writer-lock`` for an SQLite file, else None."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + ".writer-lock")


class Database:
    """The store of one web app and a session factory on its engine.

    Parameters
    ----------
    url : str, optional
        Database URL; default as for every painmap command.
    store : painmap.store.Store, optional
        An already opened store (tests).
    """

    def __init__(self, url: str | None = None, *, store: Store | None = None) -> None:
        self.store: Store = store if store is not None else open_store(url)
        self.engine: Engine = self.store.engine
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = WriterTurn(_writer_lock_path(self.engine))
        self._reader = sessionmaker(
            bind=self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        self.group = GroupCommit(
            self.engine,
            turn=lambda: self._writer,
            max_units=MAX_UNITS if self.engine.dialect.name == "sqlite" else 1,
        )

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._writer, self._factory() as session, session.begin():
            yield session

    def write(self, unit: Callable[[Session], T]) -> T:
        """Run an audited unit (store calls, or reads and audit appends on the session).

        The unit runs in its own savepoint of a group transaction shared with the units
        of other requests of this process (SQLite); its result is returned once that
        transaction is committed. If it raises, only its own changes are rolled back and
        the exception is raised here. See :class:`~painmap.store.group_commit.GroupCommit`.
        """
        return self.group.run(unit)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session in one read-only transaction (writes nothing, appends no audit row).

        On SQLite it begins deferred, so it neither waits for nor blocks a writer; it is
        rolled back at the end, so a write slipped into it by mistake is never kept.
        """
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()
