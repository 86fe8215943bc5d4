"""Helpers of the web tests: a small synthetic database with accounts, and clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from painmap.record.models import Patient
from painmap.store import Actor, open_store
from painmap.web import create_app, crud
from painmap.web.core.config import WebSettings
from painmap.web.core.db import Database
from painmap.web.models import UserCreate

PASSWORD = "correct horse battery staple"
OWN = "demo-t-0001"  # the patient account's record, in clinician "doc"'s care
OTHER = "demo-t-0002"  # in clinician "doc2"'s care
USERS = {
    "pat": ("patient", OWN),
    "pat2": ("patient", OTHER),
    "doc": ("clinician", None),
    "doc2": ("clinician", None),
    "res": ("researcher", None),
    "adm": ("admin", None),
}


def synthetic_patient(pid: str, birth_year: int) -> Patient:
    """A small synthetic patient with a drawing, NRS/ODI, imaging and a treatment."""
    return Patient.model_validate(
        {
            "id": pid,
            "birth_year": birth_year,
            "sex": "female",
            "pain_onset": "2025-01-10",
            "encounters": [
                {
                    "id": "v0",
                    "date": "2025-06-02",
                    "records": [
                        {"kind": "instrument", "instrument": "nrs", "answers": [7]},
                        {"kind": "instrument", "instrument": "odi",
                         "answers": [3, 2, 3, 2, 3, 2, 2, None, 2, 3]},
                        {"kind": "pain_drawing",
                         "marks": [{"id": "b_lumbar_l4_mid", "intensity": 7,
                                    "qualities": ["aching"]}],
                         "strokes": []},
                        {"kind": "imaging", "modality": "mri", "finding": "disc_protrusion",
                         "level": "L4-L5", "side": "right"},
                        {"kind": "treatment", "type": "physiotherapy", "start": "2025-06-10"},
                    ],
                },
                {
                    "id": "v1",
                    "date": "2025-09-01",
                    "records": [
                        {"kind": "instrument", "instrument": "nrs", "answers": [5]},
                    ],
                },
            ],
        }
    )


class FakeClock:
    """A settable clock for expiry tests."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class WebEnv:
    """A database with patients and accounts, and a way to make app clients."""

    url: str
    db: Database
    clock: FakeClock = field(default_factory=FakeClock)

    def app(self, **settings: object) -> TestClient:
        cfg = WebSettings(clock=self.clock, **settings)  # type: ignore[arg-type]
        return TestClient(create_app(settings=cfg, database=self.db, demo=True))

    def login(self, client: TestClient, username: str, password: str = PASSWORD) -> str:
        r = client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return str(r.json()["csrf_token"])


def build_env(tmp: Path) -> WebEnv:
    """Create the database, patients and accounts used by the web tests."""
    url = f"sqlite:///{tmp / 'web.db'}"
    store = open_store(url, create=True)
    store.add_patients(
        [synthetic_patient(f"demo-t-{i:04d}", 1960 + i) for i in range(1, 5)],
        actor=Actor("test", "admin"),
    )
    db = Database(store=store)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with db.tx() as s:
        made = {}
        for name, (role, pid) in USERS.items():
            made[name] = crud.create_user(
                s, UserCreate(username=name, role=role, password=PASSWORD, patient_id=pid),
                now=now,
            )
        crud.assign(s, made["doc"], OWN, now=now)
        crud.assign(s, made["doc"], "demo-t-0003", now=now)
        crud.assign(s, made["doc2"], OTHER, now=now)
    return WebEnv(url=url, db=db)
