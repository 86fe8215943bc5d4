"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="PAINMAP_DATABASE_URL",
        help="Database URL (sqlite:///path or postgresql+psycopg://...). "
        "Default: embedded SQLite in the user data directory.",
        show_default=False,
    ),
]


def format_pydantic_error(exc: ValidationError, prefix: str = "") -> str:
    """Render a pydantic error as ``field: message`` lines (no traceback).

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error to render.
    prefix : str, optional
        Text put before each field path, e.g. ``"line 12: "``.

    Returns
    -------
    str
        One line per error, naming the field path and what was expected.
    """
    lines = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(root)"
        msg = e["msg"]
        ctx = e.get("ctx") or {}
        if "expected" in ctx:
            msg += f" (allowed: {ctx['expected']})"
        lines.append(f"{prefix}{loc}: {msg}")
    return "\n".join(lines)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout, without rich markup."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()
