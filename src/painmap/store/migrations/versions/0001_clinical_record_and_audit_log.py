"""Clinical record (patients, encounters, records) and the hash-chained audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Self-contained on purpose: later changes to the ORM models must come with a new
revision, never by editing this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.Text().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the audit tables and the clinical record tables."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("count", _BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_patient_id", "audit_log", ["patient_id"])

    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("pain_onset", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_table(
        "encounters",
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("encounter_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_encounters_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "encounter_id", name=op.f("pk_encounters")),
    )
    op.create_index("ix_encounters_date", "encounters", ["date"])
    op.create_table(
        "records",
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("encounter_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("instrument", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("score_max", sa.Float(), nullable=True),
        sa.Column("score_category", sa.String(length=64), nullable=True),
        sa.Column("score_complete", sa.Boolean(), nullable=True),
        sa.Column("score_answered", sa.Integer(), nullable=True),
        sa.Column("subscales", _JSON, nullable=True),
        sa.Column("treatment_type", sa.String(length=64), nullable=True),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=True),
        sa.Column("root", sa.String(length=8), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("pain_pre", sa.Float(), nullable=True),
        sa.Column("pain_post", sa.Float(), nullable=True),
        sa.Column("marks", sa.Integer(), nullable=True),
        sa.Column("intensity_max", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id", "encounter_id"],
            ["encounters.patient_id", "encounters.encounter_id"],
            name=op.f("fk_records_patient_id_encounters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "encounter_id", "position", name=op.f("pk_records")),
    )
    for column in ("instrument", "treatment_type", "code"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_records_{column}",
            "records",
            [column],
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    """Drop everything revision 0001 created."""
    op.drop_table("records")
    op.drop_table("encounters")
    op.drop_table("patients")
    op.drop_index("ix_audit_log_patient_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
