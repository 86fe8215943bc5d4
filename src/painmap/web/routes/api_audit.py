"""The audit log for admins: page through it, verify the chain, export it as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from painmap.store import Actor
from painmap.store import audit as audit_log
from painmap.store.audit import AuditRow
from painmap.web.crud import aware
from painmap.web.deps import AdminUser, StateDep
from painmap.web.models import AuditEntry, AuditPage, ChainStatus, Message

router = APIRouter(prefix="/api/audit", tags=["audit"])

ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Message}, 403: {"model": Message}}
CSV_COLUMNS = (
    "id", "at", "actor", "role", "action", "entity", "entity_id", "patient_id", "detail",
    "prev_hash", "hash",
)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id, at=aware(row.at), actor=row.actor, role=row.role, action=row.action,
        entity=row.entity, entity_id=row.entity_id, patient_id=row.patient_id,
        detail=row.detail, hash=row.hash,
    )


@router.get("", response_model=AuditPage, responses=ERRORS)
def read_audit(
    state: StateDep,
    who: AdminUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    patient_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=128)] = None,
) -> AuditPage:
    """Audit rows, newest first, filtered by patient or actor (admin only; audited)."""
    with state.db.tx() as s:
        query = select(AuditRow)
        count = select(func.count(AuditRow.id))
        if patient_id:
            query = query.where(AuditRow.patient_id == patient_id)
            count = count.where(AuditRow.patient_id == patient_id)
        if actor:
            query = query.where(AuditRow.actor == actor)
            count = count.where(AuditRow.actor == actor)
        rows = s.execute(query.order_by(AuditRow.id.desc()).limit(limit).offset(offset)).scalars()
        data = [_entry(r) for r in rows]
        total = int(s.execute(count).scalar_one())
        audit_log.append(
            s, Actor(who.username, who.role), "read", "audit_log",
            detail={"rows": len(data), "offset": offset},
        )
    return AuditPage(data=data, count=total)


@router.get("/verify", response_model=ChainStatus, responses=ERRORS)
def verify(state: StateDep, who: AdminUser) -> ChainStatus:
    """Recompute the hash chain of the whole log."""
    with state.db.tx() as s:
        report = audit_log.verify_chain(s)
    return ChainStatus(
        ok=report.ok, rows=report.rows, first_bad_id=report.first_bad_id, reason=report.reason
    )


def audit_csv_lines(state: StateDep, who: AdminUser) -> Iterator[str]:
    """CSV of the whole audit log (the export itself is audited first)."""
    with state.db.tx() as s:
        audit_log.append(s, Actor(who.username, who.role), "export", "audit_log")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    with state.db.tx() as s:
        for row in audit_log.iter_rows(s):
            buf.seek(0)
            buf.truncate()
            writer.writerow(
                [
                    row.id, aware(row.at).isoformat(), row.actor, row.role, row.action,
                    row.entity, row.entity_id or "", row.patient_id or "",
                    json.dumps(row.detail, sort_keys=True) if row.detail is not None else "",
                    row.prev_hash, row.hash,
                ]
            )
            yield buf.getvalue()


@router.get("/export", responses=ERRORS, response_class=StreamingResponse)
def export(state: StateDep, who: AdminUser) -> StreamingResponse:
    """The whole audit log as CSV (admin only; the export is audited)."""
    return StreamingResponse(
        audit_csv_lines(state, who),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="painmap-audit.csv"'},
    )
