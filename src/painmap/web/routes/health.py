"""``/health``: liveness and database reachability, unauthenticated, no data."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

import painmap
from painmap.web.deps import StateDep
from painmap.web.models import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(state: StateDep) -> Health:
    """Report that the app runs and the database answers (no patient data)."""
    with state.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return Health(status="ok", database="ok", version=painmap.__version__)
