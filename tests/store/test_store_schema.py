"""Schema, migrations and connection settings, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text

import painmap.store.tables  # noqa: F401
from painmap.store import StoreNotReady, migrate, open_store, resolve_url
from painmap.store.base import Base
from painmap.store.engine import default_sqlite_path, make_engine

OWN_TABLES = {"patients", "encounters", "records", "audit_log", "audit_head"}


def test_first_migration_creates_record_and_audit_tables(db_url: str) -> None:
    with open_store(db_url, create=True) as store:
        tables = set(inspect(store.engine).get_table_names())
        assert tables >= OWN_TABLES
        assert migrate.current_revision(store.engine) == migrate.head_revision()


def test_migrations_match_the_orm_models(db_url: str) -> None:
    """The migrated schema has no difference from the ORM tables (no drift)."""
    with open_store(db_url, create=True) as store, store.engine.connect() as conn:
        mine = MetaData()
        for name in OWN_TABLES:
            Base.metadata.tables[name].to_metadata(mine)
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": False,
                "include_name": lambda name, type_, parent: type_ != "table" or name in OWN_TABLES,
            },
        )
        assert compare_metadata(ctx, mine) == []


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    with open_store(db_url, create=True) as store:
        migrate.downgrade(store.engine, "base")
        assert not OWN_TABLES & set(inspect(store.engine).get_table_names())
        store.upgrade()
        assert set(inspect(store.engine).get_table_names()) >= OWN_TABLES


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(sqlite_url: str) -> None:
    with open_store(sqlite_url, create=True) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(db_url: str) -> None:
    with (
        open_store(db_url, create=True) as store,
        pytest.raises(Exception, match=r"(?i)foreign"),
        store.engine.begin() as conn,
    ):
        conn.execute(
            text(
                "INSERT INTO encounters (patient_id, encounter_id, date) "
                "VALUES ('nobody', 'v1', '2024-01-01')"
            )
        )


def test_open_without_create_needs_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    with pytest.raises(StoreNotReady, match="painmap init"):
        open_store(url)
    assert not (tmp_path / "missing.db").exists()


def test_open_outdated_schema_asks_for_init(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, create_dirs=True)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    if migrate.head_revision() != "0001":
        with pytest.raises(StoreNotReady, match="painmap init"):
            open_store(sqlite_url)
    with open_store(sqlite_url, create=True):
        pass
    open_store(sqlite_url).close()


def test_open_empty_database_without_schema(sqlite_url: str) -> None:
    make_engine(sqlite_url, create_dirs=True).connect().close()
    with pytest.raises(StoreNotReady, match="painmap init"):
        open_store(sqlite_url)


def test_unreachable_postgres_is_a_clear_error() -> None:
    with pytest.raises(StoreNotReady, match="cannot open"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none", create=True)


def test_resolve_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINMAP_DATABASE_URL", "sqlite:////tmp/from-env.db")
    assert resolve_url("sqlite:////tmp/explicit.db") == "sqlite:////tmp/explicit.db"
    assert resolve_url(None) == "sqlite:////tmp/from-env.db"
    monkeypatch.delenv("PAINMAP_DATABASE_URL")
    default = resolve_url(None)
    assert default == f"sqlite:///{default_sqlite_path()}"
    assert default_sqlite_path().name == "painmap.db"
    assert "painmap" in default_sqlite_path().parent.name


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url", "sqlite://", "sqlite:///:memory:"])
def test_unsupported_urls_are_rejected(url: str) -> None:
    from painmap.core.errors import ValidationFailure

    with pytest.raises(ValidationFailure, match="database"):
        open_store(url, create=True)
