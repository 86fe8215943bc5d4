"""Helpers for body-map tests: drawings built from real region ids."""

from __future__ import annotations

from collections.abc import Iterable

from painmap.bodymap import Drawing, RegionMark


def marks(ids: Iterable[str], intensity: float = 5.0) -> Drawing:
    """A region-only drawing marking ``ids`` at one intensity."""
    return Drawing(marks=[RegionMark(id=i, intensity=intensity) for i in ids])
