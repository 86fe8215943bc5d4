"""Persistence of the clinical record: SQLAlchemy 2 tables, Alembic migrations, repository.

Everything above the store reads and writes patients through :class:`Store`
(obtained from :func:`open_store`); nothing above it writes SQL. Every read and write
of patient data is audited in the same transaction (:mod:`painmap.store.audit`).
"""

from painmap.store.audit import Actor
from painmap.store.engine import DATABASE_URL_ENV, default_sqlite_path, resolve_url
from painmap.store.errors import BackupUnsupported, DuplicateId, NotFound, StoreNotReady
from painmap.store.repository import (
    BackupReport,
    Store,
    cli_actor,
    open_store,
    pg_dump_guidance,
)
from painmap.store.views import PatientChart, PatientSummary, StoredScore, TimelineEntry

__all__ = [
    "DATABASE_URL_ENV",
    "Actor",
    "BackupReport",
    "BackupUnsupported",
    "DuplicateId",
    "NotFound",
    "PatientChart",
    "PatientSummary",
    "Store",
    "StoreNotReady",
    "StoredScore",
    "TimelineEntry",
    "cli_actor",
    "default_sqlite_path",
    "open_store",
    "pg_dump_guidance",
    "resolve_url",
]
