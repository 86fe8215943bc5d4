"""Request and response shapes of the web API (kept apart from the tables).

Input shapes (``*Create``, ``LoginRequest``) and output shapes (``*Public``) are
separate models, so secrets such as password hashes can never leak into a response.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["patient", "clinician", "researcher", "admin"]


class LoginRequest(BaseModel):
    """Credentials posted to ``/api/auth/login``."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserCreate(BaseModel):
    """A new account (from ``painmap user add`` or the admin page)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
    role: Role
    password: str = Field(min_length=1, max_length=1024)
    patient_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class UserPublic(BaseModel):
    """An account as shown to its owner or an admin (never the hash)."""

    username: str
    role: Role
    patient_id: str | None = None
    is_active: bool = True


class LoginResponse(BaseModel):
    """Answer to a successful login: who, and the CSRF token for unsafe requests."""

    user: UserPublic
    csrf_token: str
    idle_timeout_seconds: int
    absolute_timeout_seconds: int


class Message(BaseModel):
    """A plain status message."""

    detail: str


class PatientSummary(BaseModel):
    """One row of a patient list.

    For researchers ``id`` is a research pseudonym (keyed HMAC) and ``birth_year`` is
    rounded down to five years.
    """

    id: str
    birth_year: int
    sex: str
    encounters: int
    last_visit: date | None = None


class PatientsPublic(BaseModel):
    """A page of the patient list."""

    data: list[PatientSummary]
    count: int
    pseudonymised: bool = False


class RecordCreate(BaseModel):
    """A record to add to the patient's current encounter (today's, created if needed).

    ``record`` is one clinical record with its ``kind`` (see the NDJSON schema):
    ``pain_drawing``, ``instrument``, ``exam``, ``imaging``, ``electrodiagnostic``,
    ``block`` or ``treatment``.
    """

    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any]


class RecordCreated(BaseModel):
    """Where a new record was stored."""

    encounter_id: str
    date: date
    kind: str
    position: int | None = None


class AuditEntry(BaseModel):
    """One row of the audit log."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str | None = None
    patient_id: str | None = None
    detail: dict[str, Any] | None = None
    hash: str


class AuditPage(BaseModel):
    """A page of the audit log, newest first, with the chain status."""

    data: list[AuditEntry]
    count: int


class ChainStatus(BaseModel):
    """Result of verifying the audit hash chain."""

    ok: bool
    rows: int
    first_bad_id: int | None = None
    reason: str | None = None


class Health(BaseModel):
    """Liveness answer of ``/health``."""

    status: Literal["ok"]
    database: Literal["ok"]
    version: str
