"""Database access of the web app: the store facade plus short transactions.

SQLite transactions in painmap start with ``BEGIN IMMEDIATE`` (one writer at a time),
so the web app keeps every transaction short: authentication, session updates and each
store call run in their own transaction, never nested. Transactions that only read and
append no audit row (the session check) use :meth:`Database.read`, which begins
deferred and so never waits for, or blocks, a writer.

Writers of one process take turns on a lock (:meth:`Database.writing`) before they ask
SQLite for its write lock. SQLite makes a blocked writer poll with sleeps of up to
100 ms, so under load a writer could wait far longer than the writes ahead of it take;
the lock queues this process's writers instead and wakes the next one at once. Writers
of other processes (several server workers, the CLI) still meet at SQLite's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from painmap.store import Store, open_store
from painmap.store.engine import READ_ONLY


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
        self._writer = threading.RLock()
        self._reader = sessionmaker(
            bind=self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._writer, self._factory() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[None]:
        """This process's writer turn, for a store call that writes or audits."""
        with self._writer:
            yield

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
