"""Routers of the web app: JSON API under ``/api`` and the HTML pages."""

from __future__ import annotations

from typing import Any

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


def route_table(routes: list[Any]) -> list[tuple[str, str]]:
    """Every (method, path template) served by ``routes``, routers included.

    Used by the authorisation matrix test so that no route escapes it.
    """
    out: list[tuple[str, str]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out.extend(route_table(list(inner.routes)))
            continue
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", None)
        if methods and isinstance(path, str):
            out.extend((m, path) for m in sorted(set(methods) - {"HEAD", "OPTIONS"}))
    return out


def register_routes(app: FastAPI) -> None:
    """Mount every router on ``app``."""
    from painmap.web import outcomes_routes

    for module in (
        outcomes_routes,
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
