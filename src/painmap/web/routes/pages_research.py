"""Researcher page: the pseudonymised cohort and its export (read-only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from painmap.web import services
from painmap.web.deps import ResearcherUser, StateDep

router = APIRouter(include_in_schema=False)


@router.get("/research")
def research_page(state: StateDep, request: Request, who: ResearcherUser) -> Response:
    """Pseudonymised patient list (research ids, 5-year birth bands) and the export link."""
    page = services.list_patients(state, who, search=None, limit=500, offset=0)
    return state.templates.TemplateResponse(
        request, "research.html", {"who": who, "patients": page.data, "count": page.count},
    )
