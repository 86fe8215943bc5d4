"""Append-only, hash-chained audit log of every read and write of patient data.

Each row stores who did what to which record, when, and (for writes) the old and new
values. Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own
canonical content, so editing, deleting or reordering any row breaks the chain, which
:func:`verify_chain` detects. Appends are serialised by locking the single
``audit_head`` row, so concurrent writers (PostgreSQL) cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from painmap.store.base import Base

GENESIS = "0" * 64


class AuditRow(Base):
    """One audit event."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    patient_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Single row holding the hash of the latest audit row (the chain head)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


_LOG = cast(Table, AuditRow.__table__)
_HEAD = cast(Table, AuditHead.__table__)
_ROW_COLUMNS = tuple(c.name for c in _LOG.columns if c.name != "id")
# the head row is read FOR UPDATE (PostgreSQL locks it; SQLite holds the write lock from
# BEGIN IMMEDIATE), and written back with the new hash and count
_GET_HEAD = (
    select(_HEAD.c.hash, _HEAD.c.count).where(_HEAD.c.id == 1).with_for_update()
)
_SET_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(hash=bindparam("hash"), count=bindparam("count"))
)
_INSERT_ROW = insert(_LOG)
_listeners: list[Callable[[int], None]] = []


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user name (or ``cli:<user>``) and a role."""

    name: str
    role: str


def _utc_text(at: datetime) -> str:
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_text(
    at: str,
    actor: str,
    role: str,
    action: str,
    entity: str,
    entity_id: str | None,
    patient_id: str | None,
    detail: Any,
    prev: str,
) -> bytes:
    payload = {
        "at": at,
        "actor": actor,
        "role": role,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "patient_id": patient_id,
        "detail": detail,
        "prev": prev,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _canonical(row: AuditRow) -> bytes:
    return _canonical_text(
        _utc_text(row.at),
        row.actor,
        row.role,
        row.action,
        row.entity,
        row.entity_id,
        row.patient_id,
        row.detail,
        row.prev_hash,
    )


def row_hash(row: AuditRow) -> str:
    """SHA-256 hex digest of a row's canonical content chained to its predecessor."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def append(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    *,
    entity_id: str | None = None,
    patient_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditRow:
    """Append one audit row inside the caller's transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session whose transaction also holds the audited change, so that the change and
        its audit row commit (or roll back) together.
    actor : Actor
        Who acts, and in which role.
    action : str
        ``read``, ``create``, ``update``, ``delete``, ``import``, ``export``, ``login``, ...
    entity : str
        Kind of thing touched: ``patient``, ``encounter``, ``record``, ``user``, ...
    entity_id, patient_id : str, optional
        Which one, and whose record it belongs to.
    detail : dict, optional
        For writes, ``{"old": ..., "new": ...}``; any JSON-serialisable context otherwise.

    Returns
    -------
    AuditRow
        The new row (inserted, not committed; not attached to ``session``).
    """
    session.flush()  # the caller's pending changes first, as before this row
    conn = session.connection()
    prev, count = _lock_head(conn)
    row = AuditRow(
        at=datetime.now(UTC),
        actor=actor.name,
        role=actor.role,
        action=action,
        entity=entity,
        entity_id=entity_id,
        patient_id=patient_id,
        detail=detail,
        prev_hash=prev,
        hash="",
    )
    row.hash = row_hash(row)
    values = {c: getattr(row, c) for c in _ROW_COLUMNS}
    key = conn.execute(_INSERT_ROW, values).inserted_primary_key
    if key is None:  # pragma: no cover - every backend here reports it
        raise RuntimeError("the audit row's id was not reported")
    row.id = int(key[0])
    conn.execute(_SET_HEAD, {"hash": row.hash, "count": count + 1})
    for listener in _listeners:
        listener(row.id)
    return row


def _lock_head(conn: Connection) -> tuple[str, int]:
    """The chain head's hash and row count, locked for this transaction (created if new)."""
    head = conn.execute(_GET_HEAD).first()
    if head is None:
        conn.execute(insert(_HEAD), {"id": 1, "hash": GENESIS, "count": 0})
        return GENESIS, 0
    return str(head[0]), int(head[1])


def on_append(listener: Callable[[int], None]) -> None:
    """Call ``listener`` with the id of every row :func:`append` inserts (test journals).

    Parameters
    ----------
    listener : callable
        Called in the appending thread, inside the transaction, once per row.
    """
    if listener not in _listeners:
        _listeners.append(listener)


def append_many(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    items: Sequence[tuple[str | None, str | None, dict[str, Any] | None]],
) -> int:
    """Append one chained audit row per item in a single bulk insert (bulk imports).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session whose transaction also holds the audited change.
    actor : Actor
        Who acts, and in which role.
    action, entity : str
        As for :func:`append`; the same for every row.
    items : sequence of (entity_id, patient_id, detail)
        One tuple per row, in order.

    Returns
    -------
    int
        Number of rows appended.
    """
    if not items:
        return 0
    session.flush()
    conn = session.connection()
    prev, count = _lock_head(conn)
    now = datetime.now(UTC)
    digests = chain_hashes(_utc_text(now), actor.name, actor.role, action, entity, items, prev)
    if conn.dialect.name == "sqlite":
        _insert_driver(conn, now, actor, action, entity, items, prev, digests)
    else:
        links = [prev, *digests[:-1]]
        conn.execute(
            insert(_LOG),
            [
                {
                    "at": now,
                    "actor": actor.name,
                    "role": actor.role,
                    "action": action,
                    "entity": entity,
                    "entity_id": entity_id,
                    "patient_id": patient_id,
                    "detail": detail,
                    "prev_hash": link,
                    "hash": digest,
                }
                for (entity_id, patient_id, detail), link, digest in zip(
                    items, links, digests, strict=True
                )
            ],
        )
    conn.execute(_SET_HEAD, {"hash": digests[-1], "count": count + len(digests)})
    return len(digests)


_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _json(value: Any) -> str:
    """``value`` as :func:`_canonical_text` writes it inside the canonical object."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring_ascii(value)
    return _SORTED.encode(value)


def chain_hashes(
    at: str,
    actor: str,
    role: str,
    action: str,
    entity: str,
    items: Sequence[tuple[str | None, str | None, Any]],
    prev: str,
) -> list[str]:
    """The hashes of a run of rows that share time, actor, role, action and entity.

    The same digests as hashing :func:`_canonical_text` row by row (a test checks this),
    with the shared part of the canonical text built once: keys in sorted order
    ``action, actor, at, detail, entity, entity_id, patient_id, prev, role``.

    Parameters
    ----------
    at, actor, role, action, entity : str
        The shared columns (``at`` as :func:`_utc_text` gives it).
    items : sequence of (entity_id, patient_id, detail)
        One per row, in order.
    prev : str
        Hash of the row before the first one.

    Returns
    -------
    list of str
        One hex digest per item; each row's ``prev_hash`` is the digest before it.
    """
    head = (
        f'{{"action":{_json(action)},"actor":{_json(actor)},"at":{_json(at)},"detail":'
    )
    middle = f',"entity":{_json(entity)},"entity_id":'
    tail = f',"role":{_json(role)}}}'
    sha256 = hashlib.sha256
    out: list[str] = []
    for entity_id, patient_id, detail in items:
        text = "".join(
            (
                head,
                _json(detail),
                middle,
                _json(entity_id),
                ',"patient_id":',
                _json(patient_id),
                ',"prev":',
                _json(prev),
                tail,
            )
        )
        prev = sha256(text.encode()).hexdigest()
        out.append(prev)
    return out


def _insert_driver(
    conn: Connection,
    now: datetime,
    actor: Actor,
    action: str,
    entity: str,
    items: Sequence[tuple[str | None, str | None, Any]],
    prev: str,
    digests: list[str],
) -> None:
    """Insert a run of audit rows straight through the driver (SQLite bulk path).

    The values are converted by the columns' own SQLAlchemy bind processors (the shared
    ones once), so the stored text is what the ORM insert would store.
    """
    dialect = conn.dialect

    def processor(name: str) -> Callable[[Any], Any]:
        fn = _LOG.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return (lambda v: v) if fn is None else fn

    shared = tuple(
        processor(n)(v)
        for n, v in zip(
            ("at", "actor", "role", "action", "entity"),
            (now, actor.name, actor.role, action, entity),
            strict=True,
        )
    )
    detail_text = processor("detail")
    names = _ROW_COLUMNS  # at, actor, role, action, entity, entity_id, patient_id, ...
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(_LOG.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    links = [prev, *digests[:-1]]
    conn.exec_driver_sql(
        sql,
        [
            (*shared, entity_id, patient_id, detail_text(detail), link, digest)
            for (entity_id, patient_id, detail), link, digest in zip(
                items, links, digests, strict=True
            )
        ],
    )


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`."""

    ok: bool
    rows: int
    first_bad_id: int | None = None
    reason: str | None = None


def iter_rows(session: Session, batch: int = 5000) -> Iterator[AuditRow]:
    """Yield audit rows in id order, in batches."""
    last = 0
    while True:
        rows = list(
            session.execute(
                select(AuditRow).where(AuditRow.id > last).order_by(AuditRow.id).limit(batch)
            ).scalars()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash and check each row links to its predecessor and the head.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session.

    Returns
    -------
    ChainReport
        ``ok`` is False and ``first_bad_id`` names the first broken row when any row was
        edited, deleted, inserted or reordered, or when the head does not match.
    """
    prev = GENESIS
    n = 0
    for row in iter_rows(session):
        if row.prev_hash != prev:
            return ChainReport(False, n, row.id, "row does not link to its predecessor")
        if row_hash(row) != row.hash:
            return ChainReport(False, n, row.id, "row content does not match its hash")
        prev = row.hash
        n += 1
    head = session.get(AuditHead, 1)
    head_hash = head.hash if head is not None else GENESIS
    head_count = head.count if head is not None else 0
    if head_hash != prev or head_count != n:
        return ChainReport(False, n, None, "chain head does not match the last row (rows removed)")
    return ChainReport(True, n)
