"""Database access of the web app: the store facade plus short transactions.

SQLite transactions in painmap start with ``BEGIN IMMEDIATE`` (one writer at a time),
so the web app keeps every transaction short: authentication, session updates and each
store call run in their own transaction, never nested.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from painmap.store import Store, open_store


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

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._factory() as session, session.begin():
            yield session
