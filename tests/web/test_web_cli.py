"""``painmap user add``, ``painmap audit verify|export`` and ``painmap serve``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_helpers import OWN, WebEnv

from cli_helpers import exit_code


def _run(args: list[str], stdin: str = "") -> int:
    return exit_code(args, stdin)

def test_user_add_reads_password_from_stdin_and_validates(fresh_env: WebEnv) -> None:
    db = ["--database", fresh_env.url]
    assert _run(["user", "add", "nurse.kim", "--role", "clinician", "--password-stdin", *db],
                "a long clinic passphrase\n") == 0
    client = fresh_env.app()
    fresh_env.login(client, "nurse.kim", "a long clinic passphrase")
    assert _run(["user", "add", "p.one", "--role", "patient", "--patient", OWN,
                 "--password-stdin", *db], "another long passphrase\n") == 0
    # bad role, short password, missing patient, unknown patient: exit 1, no traceback
    assert _run(["user", "add", "x.y", "--role", "nurse", "--password-stdin", *db],
                "a long clinic passphrase\n") == 1
    assert _run(["user", "add", "x.z", "--role", "admin", "--password-stdin", *db],
                "short\n") == 1
    assert _run(["user", "add", "x.w", "--role", "patient", "--password-stdin", *db],
                "a long clinic passphrase\n") == 1
    assert _run(["user", "add", "x.v", "--role", "patient", "--patient", "nobody-here",
                 "--password-stdin", *db], "a long clinic passphrase\n") == 1


def test_audit_verify_and_export(fresh_env: WebEnv, tmp_path: Path) -> None:
    db = ["--database", fresh_env.url]
    assert _run(["audit", "verify", *db]) == 0
    out = tmp_path / "audit.csv"
    assert _run(["audit", "export", "--out", str(out), *db]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,at,actor,role,action")
    assert len(lines) >= 2
    assert _run(["audit", "export", "--out", str(out), *db]) == 1  # refuses to overwrite


def test_serve_prints_url_stop_hint_and_demo_logins(fresh_env: WebEnv) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("painmap")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database", fresh_env.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        lines = []
        assert proc.stdout is not None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(lines)
        assert f"http://localhost:{port}/" in text and "Ctrl+C" in text
        assert "demo.clinician" in text and "painmap-demo-2026" in text
        for _ in range(100):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
                break
            except httpx.HTTPError:
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["audit"], ["user"]])
def test_groups_show_help(args: list[str]) -> None:
    assert _run(args) in (0, 2)


def test_demo_accounts_only_in_demo_databases(tmp_path: Path) -> None:
    from painmap.core.errors import PainmapError
    from painmap.record.models import Patient
    from painmap.store import Actor, open_store
    from painmap.web.core.db import Database
    from painmap.web.demo import ensure_demo_accounts, is_demo_database

    store = open_store(f"sqlite:///{tmp_path / 'clinic.db'}", create=True)
    store.add_patient(Patient(id="p-0001", birth_year=1970, sex="male"),  # type: ignore[arg-type]
                      actor=Actor("test", "admin"))
    db = Database(store=store)
    assert not is_demo_database(db)
    with pytest.raises(PainmapError):
        ensure_demo_accounts(db)
    store.close()
