"""Routers of the web app: JSON API under ``/api`` and the HTML pages."""

from __future__ import annotations

from fastapi import FastAPI

from painmap.web.routes import (
    api_audit,
    api_patients,
    auth,
    health,
    pages_admin,
    pages_clinician,
    pages_patient,
    pages_research,
)


def register_routes(app: FastAPI) -> None:
    """Mount every router on ``app``."""
    for module in (
        health,
        auth,
        api_patients,
        api_audit,
        pages_patient,
        pages_clinician,
        pages_research,
        pages_admin,
    ):
        app.include_router(module.router)
