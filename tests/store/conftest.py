"""Store fixtures: a fresh database per test on SQLite and on a real PostgreSQL server.

PostgreSQL: the session starts a throw-away server from the machine's PostgreSQL
binaries (Debian's ``/usr/lib/postgresql/<version>/bin``, or ``pg_ctl`` on PATH) in a
temporary directory, listening on 127.0.0.1 on a free port, and stops it at the end.
PostgreSQL refuses to run as root, so when the tests run as root, ``initdb`` and
``pg_ctl`` run as the unprivileged ``postgres`` account (``runuser -u postgres``) and the
data directory is handed to that account. Without binaries the PostgreSQL cases are
skipped with a reason (CI installs them: ``.ci/run``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import port_for
import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from painmap.store import Store, open_store


def find_pg_bindir() -> Path | None:
    """Directory holding ``initdb`` and ``pg_ctl`` (newest Debian version first)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(on_path)
    for c in candidates:
        bindir = Path(c).parent
        if (bindir / "initdb").exists():
            return bindir
    return None


def _run_as() -> tuple[list[str], tuple[int, int] | None]:
    if os.geteuid() != 0:
        return [], None
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and no 'postgres' account to run PostgreSQL as")
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--"], (pw.pw_uid, pw.pw_gid)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A running throw-away PostgreSQL server; yields its admin URL (database postgres)."""
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    prefix, owner = _run_as()
    base = Path(tempfile.mkdtemp(prefix="painmap-pg-"))
    if owner is not None:
        os.chown(base, *owner)
    data = base / "data"
    port = port_for.select_random()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "painmap",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(base / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    try:
        yield f"postgresql+psycopg://painmap@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (dropped after the test)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        # a linguistic (ICU) collation, as on most real servers, so that tests see
        # collation-dependent ordering; plain CREATE DATABASE when ICU is missing
        try:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
            )
        except psycopg.Error:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'painmap.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A new empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An initialised, empty store on each backend."""
    with open_store(db_url, create=True) as s:
        yield s
