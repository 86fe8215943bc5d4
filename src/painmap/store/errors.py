"""Errors raised by the store."""

from __future__ import annotations

from painmap.core.errors import PainmapError, ValidationFailure


class NotFound(PainmapError, LookupError):
    """A patient or encounter that the caller asked for does not exist."""


class DuplicateId(ValidationFailure):
    """A patient (or encounter) id that already exists where it must be new."""


class StoreNotReady(PainmapError):
    """The database has no painmap schema yet, or an older one (run ``painmap init``)."""


class BackupUnsupported(PainmapError):
    """The online backup API only exists for SQLite; PostgreSQL uses ``pg_dump``."""
