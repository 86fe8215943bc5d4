"""Running ``painmap`` commands in-process from tests (one helper for the whole suite)."""

from __future__ import annotations

import io
import sys

import pytest

from painmap.cli import main


def exit_code(args: list[str], stdin: str | None = None) -> int:
    """Run ``painmap ARGS`` through :func:`painmap.cli.main`; return the exit code.

    ``stdin``, when given, is what the command reads from standard input.
    """
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.stdin = old
    return 0


def run_captured(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run ``painmap ARGS``; return ``(exit code, stdout, stderr)``, never a traceback."""
    code = exit_code(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err
