"""Migration 0002 creates exactly the web tables; disabled accounts lose their sessions."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from web_helpers import WebEnv

import painmap.store.audit
import painmap.store.tables  # noqa: F401  (registers the tables)
from painmap.store.base import Base
from painmap.store.engine import make_engine
from painmap.store.migrate import downgrade, upgrade
from painmap.store.security_models import WebUser

WEB_TABLES = {"web_user", "web_care_assignment", "web_session", "web_login_attempt",
              "web_setting"}


def test_migration_0002_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        web_meta = MetaData()
        for name in WEB_TABLES:
            Base.metadata.tables[name].to_metadata(web_meta)
        diff = compare_metadata(MigrationContext.configure(conn), web_meta)
    # other areas' tables show up as "remove_*" (they are not in web_meta): ignore them
    assert [d for d in diff if "web_" in repr(d)] == []
    assert set(inspect(engine).get_table_names()) >= WEB_TABLES
    downgrade(engine, "0001")
    assert not WEB_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    engine.dispose()


def test_no_password_or_token_is_stored_in_clear(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "doc")
    token = client.cookies.get("painmap_session")
    with web_env.db.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM web_session"))
        users = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM web_user"))
    assert token and token not in dump
    assert "correct horse" not in users and "$argon2id$" in users


def test_disabled_account_loses_its_sessions(fresh_env: WebEnv) -> None:
    client = fresh_env.app()
    fresh_env.login(client, "doc")
    assert client.get("/api/auth/me").status_code == 200
    with fresh_env.db.tx() as s:
        user = s.query(WebUser).filter_by(username="doc").one()
        user.is_active = False
    assert client.get("/api/auth/me").status_code == 401
    r = client.post("/api/auth/login", json={"username": "doc", "password": "x" * 20})
    assert r.status_code == 401
