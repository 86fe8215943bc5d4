"""The clinician's patient page kept per chart version: never stale, always audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from web_helpers import OWN, WebEnv

from painmap.store.audit import AuditRow
from painmap.web import create_app
from painmap.web.core.config import WebSettings
from painmap.web.main import app_from_environment
from painmap.web.views.page_cache import chart_digest


def _open(env: WebEnv) -> tuple[TestClient, object]:
    app = create_app(settings=WebSettings(clock=env.clock, audit_journal=True),
                     database=env.db, demo=True)
    client = TestClient(app)
    csrf = env.login(client, "doc")
    r = client.post("/patients/open", data={"csrf_token": csrf, "patient_id": OWN},
                    follow_redirects=False)
    assert r.status_code == 303
    return client, app


def _chart_part(page: str) -> str:
    """The page without the data-entry forms (which list every finding)."""
    return page.split("Add to today's visit")[0]


def test_every_view_appends_one_read_row_also_when_kept(fresh_env: WebEnv) -> None:
    client, app = _open(fresh_env)
    state = app.state.painmap  # type: ignore[attr-defined]
    first = client.get("/patient")
    assert len(state.charts) == 1  # rendered once and kept
    second = client.get("/patient")
    assert first.text == second.text
    views = [e for e in state.journal if e.route == "/patient"]
    assert [len(e.audit_ids) for e in views] == [1, 1]
    with fresh_env.db.tx() as s:
        rows = s.execute(
            select(AuditRow).where(AuditRow.id.in_([i for e in views for i in e.audit_ids]))
        ).scalars().all()
    assert [(r.actor, r.role, r.action, r.entity, r.entity_id, r.patient_id) for r in rows] == [
        ("doc", "clinician", "read", "patient", OWN, OWN)
    ] * 2


def test_a_new_record_shows_at_once(fresh_env: WebEnv) -> None:
    client, _app = _open(fresh_env)
    assert "spondylolisthesis" not in _chart_part(client.get("/patient").text)
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post(f"/api/patients/{OWN}/records", headers={"X-CSRF-Token": csrf},
                    json={"record": {"kind": "imaging", "finding": "spondylolisthesis",
                                     "level": "L4-L5"}})
    assert r.status_code == 201
    assert "<td>spondylolisthesis</td>" in _chart_part(client.get("/patient").text)


def test_any_change_to_a_stored_record_changes_the_digest(fresh_env: WebEnv) -> None:
    client, _app = _open(fresh_env)
    with fresh_env.db.read() as s:
        before = chart_digest(s, OWN)
    assert before is not None
    page = client.get("/patient").text
    # even an edit made behind the app's back (same number of rows) is picked up
    with fresh_env.db.tx() as s:
        s.execute(
            text("UPDATE records SET score = score + 1 "
                 "WHERE patient_id = :p AND instrument = 'nrs'"),
            {"p": OWN},
        )
    with fresh_env.db.read() as s:
        assert chart_digest(s, OWN) != before
        assert chart_digest(s, "no-such-patient") is None
    assert client.get("/patient").text != page


def test_worker_processes_build_the_app_from_the_environment(
    fresh_env: WebEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    mp = monkeypatch
    mp.setenv("PAINMAP_DATABASE_URL", fresh_env.url)
    mp.setenv("PAINMAP_WEB_HTTPS", "1")
    mp.setenv("PAINMAP_WEB_DEMO", "0")
    mp.delenv("PAINMAP_CONTENT_PACK", raising=False)
    app = app_from_environment()
    state = app.state.painmap
    assert state.settings.https is True and state.demo is False
    assert state.settings.cookie_name == "__Host-painmap_session"
    assert state.db.store.url == fresh_env.url
    state.db.store.close()


def test_the_driver_rows_of_the_digest_are_the_portable_rows(fresh_env: WebEnv) -> None:
    from painmap.web.views.page_cache import _driver_rows, _rows

    def both() -> tuple[list[list[tuple[object, ...]]], list[list[tuple[object, ...]]]]:
        with fresh_env.db.read() as s:
            conn = s.connection()
            portable = [[tuple(r) for r in rows] for rows in _rows(conn, OWN)]
            driver = [[tuple(r) for r in rows] for rows in _driver_rows(conn, OWN)]
        return portable, driver

    portable, driver = both()
    assert [len(x) for x in portable] == [len(x) for x in driver]
    assert len(driver[0]) == 1 and len(driver[2]) > 0
    # the same stored text and scores (dates: objects there, ISO text here)
    assert [r[2:] for r in portable[2]] == [r[2:] for r in driver[2]]
    with fresh_env.db.tx() as s:
        s.execute(text("UPDATE records SET score = score + 1 "
                       "WHERE patient_id = :p AND instrument = 'nrs'"), {"p": OWN})
    changed_portable, changed_driver = both()
    assert changed_portable[2] != portable[2] and changed_driver[2] != driver[2]
