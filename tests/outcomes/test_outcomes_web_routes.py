"""The outcomes router: JSON outcomes and the PDF report, with the web access rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from painmap.demo import generate_cohort
from painmap.store import Actor, open_store
from painmap.web import create_app, crud
from painmap.web.core import security
from painmap.web.core.config import WebSettings
from painmap.web.core.db import Database
from painmap.web.models import UserCreate

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    security.set_hasher_parameters(1, 1024, 1)
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('ow') / 'w.db'}", create=True)
    patients = generate_cohort(3, seed=4)
    store.add_patients(patients, actor=Actor("test", "admin"))
    db = Database(store=store)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with db.tx() as s:
        doc = crud.create_user(s, UserCreate(username="doc", role="clinician",
                                             password=PASSWORD), now=now)
        crud.create_user(s, UserCreate(username="res", role="researcher", password=PASSWORD),
                         now=now)
        crud.assign(s, doc, patients[0].id, now=now)
    app = create_app(settings=WebSettings(), database=db, demo=True)
    with TestClient(app) as c:
        yield c
    store.close()
    security.set_hasher_parameters(security.ARGON2_TIME_COST, security.ARGON2_MEMORY_KIB,
                                   security.ARGON2_PARALLELISM)


def _login(client: TestClient, user: str) -> None:
    client.cookies.clear()
    r = client.post("/api/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_clinician_gets_outcomes_and_pdf_of_own_patient(client: TestClient) -> None:
    _login(client, "doc")
    r = client.get("/api/patients/demo-4-000000/outcomes")
    assert r.status_code == 200
    assert r.json()["episodes"][0]["episode"]["episode"] == 1
    r = client.get("/api/patients/demo-4-000000/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"


def test_clinician_cannot_read_other_patients(client: TestClient) -> None:
    _login(client, "doc")
    assert client.get("/api/patients/demo-4-000001/outcomes").status_code == 403
    assert client.get("/api/patients/demo-4-000001/report.pdf").status_code == 403


def test_researcher_gets_no_pdf_and_needs_a_login(client: TestClient) -> None:
    _login(client, "res")
    assert client.get("/api/patients/demo-4-000000/report.pdf").status_code == 403
    client.cookies.clear()
    assert client.get("/api/patients/demo-4-000000/outcomes").status_code == 401


def test_bad_id_is_4xx(client: TestClient) -> None:
    _login(client, "doc")
    assert client.get("/api/patients/..%2Fx/outcomes").status_code in (403, 404, 422)


def test_routes_are_mounted_by_the_app_factory(client: TestClient) -> None:
    from painmap.web.routes import route_table

    paths = {path for _, path in route_table(list(client.app.routes))}  # type: ignore[attr-defined]
    assert "/api/patients/{patient_id}/outcomes" in paths
    assert "/patient/report.pdf" in paths
    assert "/patient/outcomes" in paths


def test_clinician_page_shows_outcomes_and_offers_the_pdf(client: TestClient) -> None:
    _login(client, "doc")
    page = client.get("/patients")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/patients/open", data={"patient_id": "demo-4-000000", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/patient")
    assert page.status_code == 200
    assert 'href="/patient/outcomes"' in page.text
    assert 'href="/patient/report.pdf"' in page.text
    page = client.get("/patient/outcomes")
    assert page.status_code == 200
    assert "change from baseline" in page.text
    assert "NRS" in page.text and "baseline" in page.text
    pdf = client.get("/patient/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "demo-4" not in pdf.headers.get("content-disposition", "")
