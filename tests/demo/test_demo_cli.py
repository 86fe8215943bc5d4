"""``painmap demo`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import exit_code as _run
from painmap.cli import app
from painmap.record.models import Patient

# Typer runs a lone command without its name; ``painmap demo`` needs a second command.
pytestmark = pytest.mark.skipif(
    len(app.registered_commands) + len(app.registered_groups) < 2,
    reason="the CLI has only the demo command so far (Typer single-command mode)",
)



def test_demo_to_ndjson_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    assert _run(["demo", "--patients", "7", "--seed", "2", "--out", str(a)]) == 0
    assert _run(["demo", "--patients", "7", "--seed", "2", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text().splitlines()
    assert len(lines) == 7
    for line in lines:
        Patient.model_validate(json.loads(line))


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.ndjson"
    out.write_text("keep\n")
    assert _run(["demo", "--patients", "2", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--out" in err and "Traceback" not in err
    assert out.read_text() == "keep\n"


def test_demo_into_store_and_if_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from painmap.store import open_store

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert _run(["demo", "--patients", "12", "--seed", "1", "--database", url]) == 0
    assert _run(["demo", "--patients", "12", "--seed", "1", "--if-empty", "--database", url]) == 0
    assert "not loaded" in capsys.readouterr().out
    with open_store(url) as store:
        assert store.count_patients() == 12
        assert all(pid.startswith("demo-1-") for pid in store.patient_ids())
