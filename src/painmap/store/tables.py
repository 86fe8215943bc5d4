"""ORM tables of the clinical record: patients, encounters, records.

Keys are the record's own pseudonymous ids, so a bulk import needs no round trips:

- ``patients`` (``id``);
- ``encounters`` (``patient_id``, ``encounter_id``) with the visit date;
- ``records`` (``patient_id``, ``encounter_id``, ``position``): ``kind`` plus the raw
  record as JSON (``payload``: answers, marks, raw strokes; everything is recomputable)
  and typed, indexed columns for SQL analytics: instrument id and its score columns
  (computed when stored), finding/test codes, treatment type, level, side, root, dates.

A patient's timeline is two primary-key range scans (encounters and records by
``patient_id``), whatever the size of the database.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Dialect,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from painmap.store.base import Base


class JSONPayload(TypeDecorator[Any]):
    """JSON stored as text on SQLite and as ``jsonb`` on PostgreSQL.

    Bound values may be JSON text (already serialised, the fast path) or Python
    objects. Results are JSON text on SQLite and Python objects on PostgreSQL; use
    :func:`as_json_text` / :func:`as_object` to normalise.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return json.loads(value) if isinstance(value, str) else value
        if isinstance(value, str):
            return value
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value


def as_object(value: Any) -> Any:
    """Decode a :class:`JSONPayload` result (text or object) into Python objects."""
    return json.loads(value) if isinstance(value, str) else value


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def as_json_text(value: Any) -> str:
    """Encode a :class:`JSONPayload` result (text or object) as JSON text."""
    if isinstance(value, str):
        return value
    return _COMPACT.encode(value)


def _partial_index(name: str, column: str) -> Index:
    """An index over the rows where ``column`` is set (cheaper to maintain on import)."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=where, postgresql_where=where)


class PatientRow(Base):
    """A pseudonymous patient."""

    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(16))
    pain_onset: Mapped[date | None] = mapped_column(Date, nullable=True)


class EncounterRow(Base):
    """A dated visit of one patient."""

    __tablename__ = "encounters"
    __table_args__ = (
        ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        Index("ix_encounters_date", "date"),
    )

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(Date)


class RecordRow(Base):
    """One record of an encounter, its raw JSON and typed columns for queries."""

    __tablename__ = "records"
    __table_args__ = (
        ForeignKeyConstraint(
            ["patient_id", "encounter_id"],
            ["encounters.patient_id", "encounters.encounter_id"],
            ondelete="CASCADE",
        ),
        _partial_index("ix_records_instrument", "instrument"),
        _partial_index("ix_records_treatment_type", "treatment_type"),
        _partial_index("ix_records_code", "code"),
    )

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[Any] = mapped_column(JSONPayload)
    #: Exam test, imaging finding, electrodiagnostic finding or block type.
    code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    instrument: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score_complete: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    score_answered: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subscales: Mapped[Any] = mapped_column(JSONPayload, nullable=True)
    treatment_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    side: Mapped[str | None] = mapped_column(String(16), nullable=True)
    root: Mapped[str | None] = mapped_column(String(8), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Pain (0-10) before and after a diagnostic block.
    pain_pre: Mapped[float | None] = mapped_column(Float, nullable=True)
    pain_post: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Pain drawing: number of marked regions, and the highest mark/stroke intensity.
    marks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    intensity_max: Mapped[float | None] = mapped_column(Float, nullable=True)
