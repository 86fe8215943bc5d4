"""The database itself refuses to change or remove audit rows (migration 0003)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from painmap.store import Actor, migrate, open_store
from painmap.store.audit import verify_chain

ACTOR = Actor("test:audit", "admin")


def _count(store: object) -> int:
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ],
)
def test_audit_rows_cannot_be_changed_or_removed(db_url: str, statement: str) -> None:
    with open_store(db_url, create=True) as store:
        store.list_patients(actor=ACTOR)  # two audited reads
        store.list_patients(actor=ACTOR)
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
        assert _count(store) == 2
        store.list_patients(actor=ACTOR)  # appending still works
        with store.session() as s:
            report = verify_chain(s)
        assert report.ok and report.rows == 3


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(pg_url: str) -> None:
    """TRUNCATE skips DELETE triggers on PostgreSQL; it has a trigger of its own."""
    with open_store(pg_url, create=True) as store:
        store.list_patients(actor=ACTOR)
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
        assert _count(store) == 1


def test_downgrade_removes_the_triggers_and_upgrade_restores_them(db_url: str) -> None:
    with open_store(db_url, create=True) as store:
        store.list_patients(actor=ACTOR)
        migrate.downgrade(store.engine, "0002")
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'mallory'"))
        store.upgrade()
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'eve'"))
        with store.session() as s:
            assert not verify_chain(s).ok  # the edit made while unguarded is detected
