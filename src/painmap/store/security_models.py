"""Tables for web accounts: users, care assignments, server-side sessions, login attempts.

These tables hold no clinical data. Passwords are stored only as argon2id hashes and
session tokens only as SHA-256 digests, so a copy of the database lets nobody log in.
The migration that creates them is Alembic revision ``0002``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from painmap.store.base import Base

#: Roles a web account may have, from least to most privileged on accounts.
ROLES: tuple[str, ...] = ("patient", "clinician", "researcher", "admin")


class WebUser(Base):
    """A person who logs into the web app.

    A ``patient`` account is linked to exactly one pseudonymous patient id; other roles
    have none. Clinicians see the patients they are assigned to (:class:`CareAssignment`).
    """

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    patient_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CareAssignment(Base):
    """A clinician is in charge of a patient (what the clinician may see and edit)."""

    __tablename__ = "web_care_assignment"
    __table_args__ = (UniqueConstraint("clinician_id", "patient_id", name="uq_web_care_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("web_user.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A server-side login session; the cookie carries a token whose digest is ``id``."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class LoginAttempt(Base):
    """One login attempt, keyed by digests of the user name and client address."""

    __tablename__ = "web_login_attempt"
    __table_args__ = (
        Index("ix_web_login_attempt_account_at", "account_key", "at"),
        Index("ix_web_login_attempt_client_at", "client_key", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    success: Mapped[bool] = mapped_column(Boolean)


class WebSetting(Base):
    """Key/value settings of the web app kept in the database (e.g. the pseudonym key)."""

    __tablename__ = "web_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(512))
