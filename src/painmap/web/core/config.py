"""Settings of the web app (session lifetimes, login limits, cookies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebSettings:
    """Security-relevant settings; the defaults follow OWASP ASVS level 2.

    Attributes
    ----------
    idle_timeout, absolute_timeout : datetime.timedelta
        A session ends after 30 min without a request, and 12 h after login at most.
    https : bool
        Serve cookies as ``Secure`` with the ``__Host-`` prefix (behind TLS).
    account_lock_failures, account_lock_window : int, datetime.timedelta
        This many consecutive failures on one account lock it for ``account_lock_window``.
    account_hourly_cap : int
        No more than this many failed attempts per account per hour (ASVS 4.0.3 2.2.1).
    client_failures, client_window : int, datetime.timedelta
        Failed attempts from one client address allowed per window before 429.
    clock : callable
        Returns "now"; tests inject a fake clock to check expiry.
    audit_journal : bool
        Keep, per request, the audit row ids it appended (for audit-completeness tests).
    content_pack : pathlib.Path, optional
        Directory of licensed questionnaire item texts (see
        :func:`painmap.instruments.load_content_pack`).
    """

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    https: bool = False
    account_lock_failures: int = 10
    account_lock_window: timedelta = timedelta(minutes=15)
    account_hourly_cap: int = 100
    client_failures: int = 30
    client_window: timedelta = timedelta(minutes=15)
    touch_interval: timedelta = timedelta(seconds=30)
    clock: Callable[[], datetime] = field(default=utcnow)
    audit_journal: bool = False
    content_pack: Path | None = None

    @property
    def cookie_name(self) -> str:
        """Session cookie name (``__Host-`` prefixed when served over https)."""
        return "__Host-painmap_session" if self.https else "painmap_session"
