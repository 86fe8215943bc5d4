"""Web accounts, care assignments, server-side sessions, login attempts, web settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables of :mod:`painmap.store.security_models`."""
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("username", name=op.f("uq_web_user_username")),
    )
    with op.batch_alter_table("web_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_user_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "web_care_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["web_user.id"],
            name=op.f("fk_web_care_assignment_clinician_id_web_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_care_assignment")),
        sa.UniqueConstraint("clinician_id", "patient_id", name="uq_web_care_pair"),
    )
    with op.batch_alter_table("web_care_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_care_assignment_clinician_id"), ["clinician_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_web_care_assignment_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_user.id"],
            name=op.f("fk_web_session_user_id_web_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_login_attempt")),
    )
    with op.batch_alter_table("web_login_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_web_login_attempt_account_at", ["account_key", "at"], unique=False
        )
        batch_op.create_index("ix_web_login_attempt_client_at", ["client_key", "at"], unique=False)

    op.create_table(
        "web_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_web_setting")),
    )


def downgrade() -> None:
    """Drop the web tables."""
    op.drop_table("web_setting")
    with op.batch_alter_table("web_login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_web_login_attempt_client_at")
        batch_op.drop_index("ix_web_login_attempt_account_at")
    op.drop_table("web_login_attempt")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
    op.drop_table("web_session")
    with op.batch_alter_table("web_care_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_care_assignment_patient_id"))
        batch_op.drop_index(batch_op.f("ix_web_care_assignment_clinician_id"))
    op.drop_table("web_care_assignment")
    with op.batch_alter_table("web_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_user_patient_id"))
    op.drop_table("web_user")
