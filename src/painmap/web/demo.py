"""Demo accounts, created only in demo databases (synthetic cohorts from ``painmap demo``).

A database is a demo database when it is marked so (the ``demo`` web setting) or when
every patient in it has a synthetic demo id (:func:`painmap.demo.is_demo_id`), as
``painmap demo`` writes them. Demo
accounts get documented passwords, so they must never exist in a clinic database:
:func:`ensure_demo_accounts` refuses anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from painmap.core.errors import PainmapError
from painmap.demo import is_demo_id
from painmap.store.security_models import WebSetting
from painmap.web import crud
from painmap.web.core.config import utcnow
from painmap.web.core.db import Database
from painmap.web.models import UserCreate

#: The documented password of every demo account (demo databases only).
DEMO_PASSWORD = "painmap-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print."""

    username: str
    role: str
    note: str


def is_demo_database(db: Database) -> bool:
    """Whether ``db`` holds only the synthetic demo cohort (or is marked as demo)."""
    with db.tx() as s:
        mark = s.get(WebSetting, "demo")
        if mark is not None:
            return mark.value == "1"
    ids = db.store.patient_ids()
    return bool(ids) and all(is_demo_id(i) for i in ids)


def ensure_demo_accounts(db: Database) -> list[DemoLogin]:
    """Create the demo accounts (idempotent) and return what to print.

    Accounts: ``demo.patient`` (the first demo patient), ``demo.clinician`` (in charge of
    the first half of the cohort, including that patient), ``demo.clinician2`` (the other
    half), ``demo.researcher`` and ``demo.admin``, all with :data:`DEMO_PASSWORD`.

    Raises
    ------
    PainmapError
        When the database is not a demo database.
    """
    if not is_demo_database(db):
        raise PainmapError("demo accounts are only created in demo databases")
    ids = db.store.patient_ids()
    half = max(1, len(ids) // 2)
    now = utcnow()
    specs = [
        ("demo.patient", "patient", ids[0], f"patient {ids[0]}"),
        ("demo.clinician", "clinician", None, f"{half} patients in care"),
        ("demo.clinician2", "clinician", None, f"{len(ids) - half} patients in care"),
        ("demo.researcher", "researcher", None, "pseudonymised, read-only"),
        ("demo.admin", "admin", None, "accounts and audit log"),
    ]
    out = []
    with db.tx() as s:
        if s.get(WebSetting, "demo") is None:
            s.add(WebSetting(key="demo", value="1"))
        for username, role, patient_id, note in specs:
            user = crud.get_user_by_username(s, username)
            if user is None:
                user = crud.create_user(
                    s,
                    UserCreate(
                        username=username, role=role,  # type: ignore[arg-type]
                        password=DEMO_PASSWORD, patient_id=patient_id,
                    ),
                    now=now,
                )
                if role == "clinician":
                    mine = ids[:half] if username == "demo.clinician" else ids[half:]
                    for pid in mine:
                        crud.assign(s, user, pid, now=now)
            out.append(DemoLogin(username, role, note))
    return out
