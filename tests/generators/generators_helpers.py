"""Helpers for the pain-generator tests (imported by name; no conftest)."""

from __future__ import annotations

from typing import Any

from painmap.generators import RankResult


def marks(*ids: str, intensity: float = 6) -> dict[str, Any]:
    """A drawing JSON with these regions marked."""
    return {"marks": [{"id": i, "intensity": intensity} for i in ids]}


def candidate(result: RankResult, cid: str) -> Any:
    """The candidate with this id."""
    return next(c for c in result.candidates if c.id == cid)
