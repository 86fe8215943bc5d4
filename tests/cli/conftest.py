"""CLI tests share the synthetic cohort builder of the store tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

import pytest

from painmap.commands import _common


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render rich output 200 columns wide so table cells are not wrapped in tests."""
    monkeypatch.setattr(_common.console, "width", 200)
    monkeypatch.setattr(_common.err_console, "width", 200)
