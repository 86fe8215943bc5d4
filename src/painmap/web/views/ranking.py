"""The pain-generator ranking as the patient page and the API show it."""

from __future__ import annotations

from datetime import date
from typing import Any

from painmap.record.models import Patient
from painmap.web.views.spine import spine_svg


def ranking_view(patient: Patient, *, today: date) -> dict[str, Any]:
    """Ranked candidates with contributions and citations, spine diagram, flags, next tests.

    Returns
    -------
    dict
        ``available`` (bool), ``candidates`` (id, label, posterior, contributions with
        evidence, LR and citations), ``spine_svg``, ``imaging_flags`` (finding ->
        asymptomatic prevalence text), ``next_tests`` and ``notes``.
    """
    try:
        from painmap import generators
        rank = generators.rank  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return {
            "available": False,
            "message": "The ranking module is not available in this installation.",
            "candidates": [],
            "spine_svg": spine_svg({}),
            "imaging_flags": {},
            "next_tests": [],
            "notes": [],
        }
    result = rank(patient)
    return {"available": True, "raw": result}
