"""Reads and writes of web accounts, sessions, care assignments and login attempts.

All functions take an open SQLAlchemy session and leave committing to the caller, so a
request's changes (and their audit rows) commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from painmap.core.errors import ValidationFailure
from painmap.store.security_models import (
    ROLES,
    CareAssignment,
    LoginAttempt,
    WebSession,
    WebSetting,
    WebUser,
)
from painmap.web.core.config import WebSettings
from painmap.web.core.security import (
    check_password_policy,
    digest,
    hash_password,
    new_token,
    verify_password,
)
from painmap.web.models import UserCreate


def aware(dt: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- users


def get_user_by_username(db: Session, username: str) -> WebUser | None:
    """The account with this user name (case-insensitive), or None."""
    return db.execute(
        select(WebUser).where(func.lower(WebUser.username) == username.strip().lower())
    ).scalar_one_or_none()


def create_user(db: Session, data: UserCreate, *, now: datetime) -> WebUser:
    """Create an account after checking role, patient link and password policy.

    Raises
    ------
    ValidationFailure
        On an unknown role, a patient account without a patient id (or another role
        with one), a taken user name, or a password that fails the policy.
    """
    if data.role not in ROLES:
        raise ValidationFailure("role", f"unknown role {data.role!r}", ROLES)
    if data.role == "patient" and not data.patient_id:
        raise ValidationFailure("patient", "a patient account needs --patient ID")
    if data.role != "patient" and data.patient_id:
        raise ValidationFailure("patient", "only patient accounts are linked to a patient")
    if get_user_by_username(db, data.username) is not None:
        raise ValidationFailure("username", f"{data.username!r} is already taken")
    check_password_policy(data.password, data.username)
    user = WebUser(
        username=data.username,
        role=data.role,
        password_hash=hash_password(data.password),
        patient_id=data.patient_id,
        is_active=True,
        created_at=now,
        password_changed_at=now,
    )
    db.add(user)
    db.flush()
    return user


def list_users(db: Session) -> list[WebUser]:
    """All accounts, by user name."""
    return list(db.execute(select(WebUser).order_by(WebUser.username)).scalars())


# ------------------------------------------------------------------ care assignments


def assign(db: Session, clinician: WebUser, patient_id: str, *, now: datetime) -> bool:
    """Put ``patient_id`` in the care of ``clinician``; False when already assigned."""
    if clinician.role != "clinician":
        raise ValidationFailure("clinician", "only clinicians are assigned patients")
    exists = db.execute(
        select(CareAssignment.id).where(
            CareAssignment.clinician_id == clinician.id,
            CareAssignment.patient_id == patient_id,
        )
    ).first()
    if exists:
        return False
    db.add(CareAssignment(clinician_id=clinician.id, patient_id=patient_id, created_at=now))
    db.flush()
    return True


def assigned_patient_ids(db: Session, clinician_id: int) -> set[str]:
    """Ids of the patients in a clinician's care."""
    return set(
        db.execute(
            select(CareAssignment.patient_id).where(CareAssignment.clinician_id == clinician_id)
        ).scalars()
    )


def is_assigned(db: Session, clinician_id: int, patient_id: str) -> bool:
    """Whether ``patient_id`` is in the care of the clinician."""
    return (
        db.execute(
            select(CareAssignment.id).where(
                CareAssignment.clinician_id == clinician_id,
                CareAssignment.patient_id == patient_id,
            )
        ).first()
        is not None
    )


# ------------------------------------------------------------------------- sessions


def create_session(db: Session, user: WebUser, *, now: datetime) -> tuple[str, WebSession]:
    """Start a new server-side session; returns the cookie token and the row.

    Only the SHA-256 digest of the token is stored.
    """
    token = new_token()
    row = WebSession(
        id=digest(token),
        user_id=user.id,
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        data={},
    )
    db.add(row)
    db.flush()
    return token, row


def load_session(
    db: Session, token: str, settings: WebSettings, *, now: datetime
) -> tuple[WebSession, WebUser] | None:
    """The live session and its user for a cookie token, or None.

    Expired sessions (idle or absolute timeout) and sessions of disabled accounts are
    deleted and give None. ``last_seen_at`` is refreshed at most every
    ``settings.touch_interval`` to spare writes.
    """
    found = peek_session(db, token)
    if found is None:
        return None
    row, user = found
    if user is None or _session_dead(row, user, settings, now):
        db.delete(row)
        db.flush()
        return None
    if now - aware(row.last_seen_at) > settings.touch_interval:
        row.last_seen_at = now
        db.flush()
    return row, user


def peek_session(db: Session, token: str) -> tuple[WebSession, WebUser | None] | None:
    """The session row of a cookie token and its user, without checking or changing it."""
    if not token or len(token) > 128:
        return None
    row = db.get(WebSession, digest(token))
    if row is None:
        return None
    return row, db.get(WebUser, row.user_id)


def _session_dead(
    row: WebSession, user: WebUser | None, settings: WebSettings, now: datetime
) -> bool:
    return (
        now - aware(row.last_seen_at) > settings.idle_timeout
        or now - aware(row.created_at) > settings.absolute_timeout
        or user is None
        or not user.is_active
    )


def session_needs_write(
    row: WebSession, user: WebUser | None, settings: WebSettings, *, now: datetime
) -> bool:
    """Whether :func:`load_session` would change this session (end it, or touch it).

    When False, a read-only transaction gives the same answer as :func:`load_session`.
    """
    return (
        _session_dead(row, user, settings, now)
        or now - aware(row.last_seen_at) > settings.touch_interval
    )


def end_session(db: Session, row: WebSession) -> None:
    """Delete a session (logout)."""
    db.delete(row)
    db.flush()


def end_user_sessions(db: Session, user_id: int) -> int:
    """Delete every session of an account; returns how many there were."""
    result = db.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def set_session_data(db: Session, row: WebSession, **values: Any) -> None:
    """Store values (e.g. the open patient) in the server-side session."""
    data = dict(row.data or {})
    data.update(values)
    row.data = data
    db.flush()


# ------------------------------------------------------------------- login attempts


@dataclass(frozen=True)
class LoginOutcome:
    """Result of :func:`authenticate`."""

    status: Literal["ok", "invalid", "limited"]
    user: WebUser | None = None
    retry_after: int = 0


def _failures_since(db: Session, column: Any, key: str, since: datetime) -> list[datetime]:
    rows = db.execute(
        select(LoginAttempt.at, LoginAttempt.success)
        .where(column == key, LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc())
    ).all()
    out: list[datetime] = []
    for at, success in rows:
        if success:
            break  # count consecutive failures only
        out.append(aware(at))
    return out


def authenticate(
    db: Session, username: str, password: str, client: str, settings: WebSettings
) -> LoginOutcome:
    """Check a login, applying the account lock and the per-client limit.

    Unknown and known user names go through the same steps (the lock is kept per
    user-name digest whether or not the account exists, and a dummy argon2 hash is
    verified for unknown names), so neither the answer nor its timing tells them apart.

    Parameters
    ----------
    db : sqlalchemy.orm.Session
        Open session; the attempt is recorded in it.
    username, password : str
        What was typed.
    client : str
        Client address (only its digest is stored).
    settings : WebSettings
        Lock thresholds and clock.

    Returns
    -------
    LoginOutcome
        ``ok`` with the user, ``invalid``, or ``limited`` with seconds to wait.
    """
    now = settings.clock()
    account_key = digest("account:" + username.strip().lower())
    client_key = digest("client:" + client)
    recent = _failures_since(
        db, LoginAttempt.account_key, account_key, now - timedelta(hours=1)
    )
    lock_window = [t for t in recent if now - t < settings.account_lock_window]
    if len(lock_window) >= settings.account_lock_failures or len(recent) >= (
        settings.account_hourly_cap
    ):
        wait = settings.account_lock_window - (now - lock_window[-1]) if lock_window else (
            timedelta(hours=1) - (now - recent[-1])
        )
        return LoginOutcome("limited", retry_after=max(1, int(wait.total_seconds())))
    client_failures = db.execute(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.client_key == client_key,
            LoginAttempt.success.is_(False),
            LoginAttempt.at >= now - settings.client_window,
        )
    ).scalar_one()
    if client_failures >= settings.client_failures:
        return LoginOutcome("limited", retry_after=int(settings.client_window.total_seconds()))

    user = get_user_by_username(db, username) if len(username) <= 64 else None
    stored = user.password_hash if user is not None and user.is_active else None
    ok, new_hash = verify_password(stored, password[:1024])
    db.add(LoginAttempt(account_key=account_key, client_key=client_key, at=now, success=ok))
    if ok and user is not None:
        if new_hash is not None:
            user.password_hash = new_hash
        db.flush()
        return LoginOutcome("ok", user=user)
    db.flush()
    return LoginOutcome("invalid")


# ------------------------------------------------------------------------- settings


def get_or_create_setting(db: Session, key: str) -> str:
    """A random secret kept in the database under ``key`` (created on first use)."""
    row = db.get(WebSetting, key)
    if row is None:
        row = WebSetting(key=key, value=new_token())
        db.add(row)
        db.flush()
    return row.value
