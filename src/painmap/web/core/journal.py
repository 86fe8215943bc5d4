"""Per-request journal of audit rows, to prove audit completeness in tests.

When enabled, every request gets a list in a context variable; an ORM hook appends the
id of each audit row inserted while the request runs. The journal then holds, per
request, its method, route template (never the concrete path, which may hold an id),
status and the audit row ids it appended.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from painmap.store.audit import AuditRow

_current: ContextVar[list[int] | None] = ContextVar("painmap_audit_ids", default=None)


@dataclass
class JournalEntry:
    """One request and the audit rows it appended."""

    method: str
    route: str
    status: int
    audit_ids: list[int] = field(default_factory=list)


def _after_insert(_mapper: Any, _connection: Any, target: AuditRow) -> None:
    ids = _current.get()
    if ids is not None:
        ids.append(int(target.id))


_installed = False


def install_hook() -> None:
    """Register the ORM hook once per process."""
    global _installed
    if not _installed:
        event.listen(AuditRow, "after_insert", _after_insert)
        _installed = True


def start_request() -> tuple[list[int], Any]:
    """Begin collecting audit ids for the current request; returns (ids, reset token)."""
    ids: list[int] = []
    return ids, _current.set(ids)


def end_request(token: Any) -> None:
    """Stop collecting for the current request."""
    _current.reset(token)
