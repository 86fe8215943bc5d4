"""Database URLs and engines: where the store lives and how connections are set up.

SQLite is the default (a file in the user data directory). Every SQLite connection runs
with ``journal_mode=WAL``, ``synchronous=FULL``, ``foreign_keys=ON`` and a busy timeout, and
every transaction starts with ``BEGIN IMMEDIATE`` so that a transaction which reads the
audit chain head holds the write lock before it appends (no forked chains, no lost
updates). PostgreSQL is used through ``postgresql+psycopg://`` URLs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL

from painmap.core.errors import ValidationFailure

#: Environment variable naming the database URL.
DATABASE_URL_ENV = "PAINMAP_DATABASE_URL"

#: Pragmas set on every SQLite connection, in order.
SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", "10000"),
)

_SUPPORTED = ("sqlite", "postgresql")


def default_sqlite_path() -> Path:
    """Path of the default database: ``painmap.db`` in the user data directory.

    Returns
    -------
    pathlib.Path
        For example ``~/.local/share/painmap/painmap.db`` on Linux.
    """
    return Path(platformdirs.user_data_dir("painmap")) / "painmap.db"


def resolve_url(url: str | None) -> str:
    """Choose the database URL: the argument, else ``$PAINMAP_DATABASE_URL``, else SQLite.

    Parameters
    ----------
    url : str, optional
        An explicit SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://...``).

    Returns
    -------
    str
        The URL to use.
    """
    if url:
        return url
    env = os.environ.get(DATABASE_URL_ENV)
    if env:
        return env
    return f"sqlite:///{default_sqlite_path()}"


def parse_url(url: str) -> URL:
    """Parse and check a database URL, turning bare ``postgresql://`` into psycopg 3.

    Raises
    ------
    ValidationFailure
        When the URL cannot be parsed or names an unsupported database.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
        raise ValidationFailure(
            "database", "not a database URL", ["sqlite:///PATH", "postgresql+psycopg://..."]
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in _SUPPORTED:
        raise ValidationFailure(
            "database", f"unsupported database {backend!r}", ["sqlite", "postgresql"]
        )
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", ""):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "postgresql" and "+" not in parsed.drivername:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let us issue BEGIN ourselves (see _on_sqlite_begin); pysqlite's implicit BEGIN is
    # deferred, which lets two writers read the same audit head.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def _on_sqlite_checkin(dbapi_connection: Any, _record: Any) -> None:
    # undo a bulk import's large page cache before the connection is reused
    if dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA cache_size=-2000")


#: Execution option marking a connection whose transactions only read (no audit rows):
#: those begin DEFERRED and so never wait for, or block, a writer.
READ_ONLY = "painmap_read_only"


def _on_sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, create_dirs: bool = False) -> Engine:
    """Create an engine for ``url`` with painmap's connection settings.

    Parameters
    ----------
    url : str
        A resolved database URL.
    create_dirs : bool, optional
        Create the parent directory of an SQLite file when missing.

    Returns
    -------
    sqlalchemy.Engine
        The engine; SQLite connections get the pragmas in :data:`SQLITE_PRAGMAS`.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise ValidationFailure(
                "database", "an SQLite database must be a file path", ["sqlite:///PATH"]
            )
        path = Path(database)
        if create_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        event.listen(engine, "checkin", _on_sqlite_checkin)
        return engine
    return create_engine(parsed, pool_pre_ping=True)
