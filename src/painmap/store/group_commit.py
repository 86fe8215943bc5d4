"""Group commit: concurrent audited writes share one transaction and one durable commit.

On SQLite every committed transaction costs one ``fsync`` of the write-ahead log
(``synchronous=FULL``, several milliseconds on a typical disk), and writers take turns,
so a server answering many audited requests at once spends most of their latency
waiting for other requests' fsyncs. :class:`GroupCommit` lets the threads of one process
hand their write *units* to a committer instead: the thread that finds no commit in
progress becomes the leader, takes the writer turn, takes every unit waiting by then,
runs each in its own ``SAVEPOINT`` of one transaction, commits that transaction once
(one fsync for all of them) and then releases every waiter with its own result.

- **Durability is unchanged**: a caller gets its result only after the transaction
  holding its rows was committed with the connection's normal settings.
- **All or nothing per unit**: a unit that raises is rolled back to its savepoint
  alone; its caller gets the exception, the other units commit. When the transaction
  as a whole fails (the commit, or a database error that ends the transaction), every
  unit of the batch is run again alone, in its own transaction, so each caller gets the
  outcome of its own unit only. A unit must therefore act only through the database
  (the session it is given and :class:`~painmap.store.Store` calls, which join the
  shared transaction): it may run twice when its first transaction was rolled back.
- **The audit chain stays linear**: units run one after another on one connection, each
  appending its audit rows after the previous unit's, in one transaction holding the
  database's write lock.

Units run in the leader's thread, each in a copy of the context of the thread that
submitted it (so context variables, such as a per-request audit journal, are those of
the request the unit belongs to). A unit that itself asks for a group write (nested)
runs at once in a savepoint of the transaction it is already in.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

T = TypeVar("T")

#: Units taken into one transaction at most (bounds the wait of the first unit).
MAX_UNITS = 32

_JOINED: ContextVar[Connection | None] = ContextVar("painmap_group_connection", default=None)


def joined_connection() -> Connection | None:
    """The connection of the group transaction the current unit runs in, or None.

    :meth:`painmap.store.Store.session` joins it (in a savepoint) instead of opening a
    transaction of its own.
    """
    return _JOINED.get()


@contextmanager
def _joined(conn: Connection) -> Iterator[None]:
    token = _JOINED.set(conn)
    try:
        yield
    finally:
        _JOINED.reset(token)


@contextmanager
def savepoint_session(conn: Connection) -> Iterator[Session]:
    """A session in a new ``SAVEPOINT`` of ``conn``'s transaction, all or nothing.

    The savepoint is taken at once (not at the session's first statement), so whatever
    the block does on ``conn``, through this session or another one joining ``conn``,
    is released with it when the block ends normally and rolled back when it raises,
    leaving the rest of the transaction as it was.

    Raises
    ------
    SavepointLost
        When the block raised and the savepoint could not be rolled back (the database
        ended the whole transaction); its ``unit_error`` is what the block raised.
    """
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        session.connection()  # SAVEPOINT now
        yield session
        session.commit()
    except BaseException as exc:
        try:
            session.rollback()  # to the savepoint
        except Exception as lost:  # the transaction itself ended
            raise SavepointLost(exc) from lost
        raise
    finally:
        session.close()


class SavepointLost(Exception):
    """A savepoint could not be rolled back: its whole transaction must be given up.

    Parameters
    ----------
    error : BaseException
        What the code inside the savepoint raised (kept as ``unit_error``).
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__("the transaction ended inside a savepoint")
        self.unit_error: BaseException = (
            error.unit_error if isinstance(error, SavepointLost) else error
        )


class _Unit(Generic[T]):
    __slots__ = ("context", "done", "error", "fn", "value")

    def __init__(self, fn: Callable[[Session], T]) -> None:
        self.fn = fn
        self.context = contextvars.copy_context()
        self.done = False
        self.value: T | None = None
        self.error: BaseException | None = None


class _BatchBroken(Exception):
    """The group transaction cannot go on (it was ended by a database error)."""


class GroupCommit:
    """Runs write units of concurrent threads in shared, durably committed transactions.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store's engine; each group transaction uses one of its connections.
    turn : callable, optional
        Returns the context manager of the writer turn held for each group
        transaction (for example a thread lock plus a file lock shared by processes).
    max_units : int, optional
        Units per transaction at most; 1 runs every unit in a transaction of its own
        (no grouping, the same serial order).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        turn: Callable[[], AbstractContextManager[Any]] | None = None,
        max_units: int = MAX_UNITS,
    ) -> None:
        if max_units < 1:
            raise ValueError("max_units must be at least 1")
        self.engine = engine
        self.max_units = max_units
        self._turn = turn if turn is not None else nullcontext
        self._cond = threading.Condition()
        self._pending: deque[_Unit[Any]] = deque()
        self._leading = False
        #: Transactions committed and units run in them (for tests and diagnostics).
        self.transactions = 0
        self.units = 0

    def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn`` in a group transaction; return its result once that is committed.

        Parameters
        ----------
        fn : callable
            The unit: takes a session (in the unit's own savepoint) and does its reads,
            writes and audit appends through it or through store calls. It may be run
            again if its first transaction was rolled back as a whole (see the module).

        Returns
        -------
        object
            What ``fn`` returned, after its rows were committed.

        Raises
        ------
        Exception
            Whatever ``fn`` raised (its changes are rolled back, others' are not), or
            the database error that made its transaction fail.
        """
        conn = _JOINED.get()
        if conn is not None:  # nested in a unit: run in a savepoint of that transaction
            with savepoint_session(conn) as session:
                return fn(session)
        unit: _Unit[T] = _Unit(fn)
        with self._cond:
            self._pending.append(unit)
            while not unit.done and self._leading:
                self._cond.wait()
            lead = not unit.done
            if lead:
                self._leading = True
        if lead:
            try:
                self._lead(unit)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        if unit.error is not None:
            raise unit.error
        return unit.value  # type: ignore[return-value]

    # -- the leader -----------------------------------------------------------------

    def _lead(self, mine: _Unit[Any]) -> None:
        """Commit batches, oldest units first, until the leader's own unit is done."""
        while not mine.done:
            batch: list[_Unit[Any]] = []
            try:
                with self._turn():
                    with self._cond:  # take what waits now: it waited out the turn, too
                        while self._pending and len(batch) < self.max_units:
                            batch.append(self._pending.popleft())
                    self._commit(batch)
            finally:
                with self._cond:
                    for unit in batch:
                        if not unit.done:  # the leader was interrupted (BaseException)
                            unit.error = RuntimeError("the group commit was interrupted")
                            unit.done = True
                    self._cond.notify_all()

    def _commit(self, batch: list[_Unit[Any]]) -> None:
        """Run ``batch`` in one transaction; on a failure of the whole, each unit alone."""
        try:
            outcomes = self._transaction(batch)
        except Exception:
            outcomes = None
        if outcomes is None:
            outcomes = []
            for unit in batch:
                try:
                    single = self._transaction([unit])
                except _BatchBroken as exc:  # the unit's own error ended its transaction
                    cause = exc.__cause__
                    single = [(None, cause if isinstance(cause, Exception) else exc)]
                except Exception as exc:  # its commit failed: nothing of it was kept
                    single = [(None, exc)]
                outcomes.extend(single)
        self.units += len(batch)
        with self._cond:
            for unit, (value, error) in zip(batch, outcomes, strict=True):
                unit.value, unit.error, unit.done = value, error, True

    def _transaction(self, batch: list[_Unit[Any]]) -> list[tuple[Any, Exception | None]]:
        """One transaction over ``batch``, each unit in a savepoint; committed at the end.

        Raises when the transaction as a whole failed (nothing of it was committed).
        """
        outcomes: list[tuple[Any, Exception | None]] = []
        with self.engine.connect() as conn, conn.begin():
            for unit in batch:
                try:
                    value = unit.context.run(_run_joined, conn, unit.fn)
                    outcomes.append((value, None))
                except SavepointLost as exc:
                    raise _BatchBroken("the group transaction ended") from exc.unit_error
                except Exception as exc:
                    if not _transaction_alive(conn):
                        raise _BatchBroken("the group transaction ended") from exc
                    outcomes.append((None, exc))
        self.transactions += 1
        return outcomes


def _run_joined(conn: Connection, fn: Callable[[Session], T]) -> T:
    """Run a unit in its savepoint, with store sessions joining ``conn`` (in its context)."""
    with _joined(conn), savepoint_session(conn) as session:
        return fn(session)


def _transaction_alive(conn: Connection) -> bool:
    """Whether ``conn``'s transaction survived a unit's failure (its savepoint undone)."""
    if conn.invalidated or not conn.in_transaction():
        return False
    driver = conn.connection.driver_connection
    # SQLite ends the whole transaction on some errors (disk full, I/O); the driver knows
    alive = getattr(driver, "in_transaction", True)
    return bool(alive)
