"""The audit log refuses UPDATE and DELETE (append-only in the database itself)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:40:00

The hash chain makes an edit detectable (``painmap audit verify``); these triggers make
it impossible for anyone who cannot change the schema, whatever the code that
connects. ``audit_head`` (the chain head) is updated by every append and is not covered.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_log is append-only"
_ACTIONS = ("update", "delete")
#: PostgreSQL's TRUNCATE skips DELETE triggers, so it gets its own.
_PG_ACTIONS = (*_ACTIONS, "truncate")


def upgrade() -> None:
    """Add BEFORE UPDATE and BEFORE DELETE (and on PostgreSQL TRUNCATE) triggers that abort."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION painmap_audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$"
        )
        for action in _PG_ACTIONS:
            op.execute(
                f"CREATE TRIGGER audit_log_no_{action} BEFORE {action.upper()} ON audit_log "
                "FOR EACH STATEMENT EXECUTE FUNCTION painmap_audit_log_append_only()"
            )
        return
    for action in _ACTIONS:
        op.execute(
            f"CREATE TRIGGER audit_log_no_{action} BEFORE {action.upper()} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    """Drop the triggers."""
    if op.get_bind().dialect.name == "postgresql":
        for action in _PG_ACTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{action} ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS painmap_audit_log_append_only()")
        return
    for action in _ACTIONS:
        op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{action}")
