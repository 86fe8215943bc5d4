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
import itertools
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


_SAVEPOINT_IDS = itertools.count(1)


@contextmanager
def savepoint_session(conn: Connection) -> Iterator[Session]:
    """A session in a new ``SAVEPOINT`` of ``conn``'s transaction, all or nothing.

    The savepoint is taken at once, so whatever the block does on ``conn``, through
    this session or another one joining ``conn``, is released with it when the block
    ends normally and rolled back when it raises, leaving the rest of the transaction
    as it was. (Plain ``SAVEPOINT`` statements: SQLAlchemy's nested transactions cost
    several times more here, for the same effect.)

    Raises
    ------
    SavepointLost
        When the block raised and the savepoint could not be rolled back (the database
        ended the whole transaction); its ``unit_error`` is what the block raised.
    """
    name = f"painmap_unit_{next(_SAVEPOINT_IDS)}"
    conn.exec_driver_sql(f"SAVEPOINT {name}")
    session = _joined_session(conn)
    try:
        yield session
        session.flush()
    except BaseException as exc:
        try:
            conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
            conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
        except Exception as lost:  # the transaction itself ended
            raise SavepointLost(exc) from lost
        raise
    else:
        conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
    finally:
        session.close()


def _joined_session(conn: Connection) -> Session:
    """A session working in ``conn``'s transaction, which it never commits or ends."""
    # "rollback_only": the session's commit does not reach the connection, its close
    # leaves the transaction alone; only a rollback of the session (SQLAlchemy does one
    # after a failed flush) ends the whole transaction, which the committer detects
    return Session(bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False)


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
        if conn is not None and conn.engine is self.engine:
            # nested in a unit: run in a savepoint of the transaction it is in
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
                    if not unit.done and unit in self._pending:
                        # the leader failed before taking its own unit (the writer
                        # turn could not be had): it must never run later
                        self._pending.remove(unit)
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
        if outcomes is None:  # the group failed as a whole: each unit alone
            outcomes = [self._alone(unit) for unit in batch]
        self.units += len(batch)
        with self._cond:
            for unit, (value, error) in zip(batch, outcomes, strict=True):
                unit.value, unit.error, unit.done = value, error, True

    def _alone(self, unit: _Unit[Any]) -> tuple[Any, Exception | None]:
        """One unit in a transaction of its own: its outcome; nothing kept on an error."""
        try:
            with self.engine.connect() as conn, conn.begin():
                value = unit.context.run(_run_alone, conn, unit.fn)
        except SavepointLost as exc:  # a savepoint inside it was lost with the transaction
            error = exc.unit_error
            return None, error if isinstance(error, Exception) else exc
        except Exception as exc:  # its own error, or its commit failed
            return None, exc
        self.transactions += 1
        return value, None

    def _transaction(self, batch: list[_Unit[Any]]) -> list[tuple[Any, Exception | None]]:
        """One transaction over ``batch``, each unit in a savepoint; committed at the end.

        Raises when the transaction as a whole failed (nothing of it was committed).
        """
        if len(batch) == 1:
            return [self._alone(batch[0])]
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


def _run_alone(conn: Connection, fn: Callable[[Session], T]) -> T:
    """Run a unit that has its transaction to itself (no savepoint of its own needed)."""
    with _joined(conn):
        session = _joined_session(conn)
        try:
            value = fn(session)
            session.flush()
            return value
        finally:
            session.close()


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
