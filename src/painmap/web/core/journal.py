"""Per-request journal of audit rows, to prove audit completeness in tests.

When enabled, every request gets a list in a context variable; a hook of the audit log
(:func:`painmap.store.audit.on_append`) appends the id of each audit row appended while
the request runs (also when a group commit's leader thread appends it: units run in
their request's context). The journal then holds, per request, its method, route
template (never the concrete path, which may hold an id), status and the audit row ids
it appended.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from painmap.store import audit

_current: ContextVar[list[int] | None] = ContextVar("painmap_audit_ids", default=None)


@dataclass
class JournalEntry:
    """One request and the audit rows it appended."""

    method: str
    route: str
    status: int
    audit_ids: list[int] = field(default_factory=list)


def _appended(row_id: int) -> None:
    ids = _current.get()
    if ids is not None:
        ids.append(row_id)


def install_hook() -> None:
    """Register the audit hook once per process."""
    audit.on_append(_appended)


def start_request() -> tuple[list[int], Any]:
    """Begin collecting audit ids for the current request; returns (ids, reset token)."""
    ids: list[int] = []
    return ids, _current.set(ids)


def end_request(token: Any) -> None:
    """Stop collecting for the current request."""
    _current.reset(token)
