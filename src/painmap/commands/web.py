"""``painmap serve``, ``painmap user add`` and ``painmap audit verify|export``."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from painmap.commands._common import DatabaseOption, console, err_console
from painmap.core.errors import ValidationFailure

user_app = typer.Typer(help="Web accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    database: DatabaseOption = None,
    https: Annotated[
        bool, typer.Option(help="Behind a TLS proxy: Secure __Host- cookies and HSTS.")
    ] = False,
    content_pack: Annotated[
        Path | None,
        typer.Option(
            "--content-pack", envvar="PAINMAP_CONTENT_PACK",
            help="Directory of licensed questionnaire item texts.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64,
            help="Server processes; more than one uses more CPU cores (one per core is a "
            "good choice). They share sessions and the audit chain through the database.",
        ),
    ] = 1,
) -> None:
    """Serve the clinic web app and JSON API (Ctrl+C to stop)."""
    import logging

    import uvicorn

    from painmap.web import create_app
    from painmap.web.core.config import WebSettings
    from painmap.web.core.db import Database
    from painmap.web.demo import DEMO_PASSWORD, ensure_demo_accounts, is_demo_database

    db = Database(database)
    demo = is_demo_database(db)
    settings = WebSettings(https=https, content_pack=content_pack)
    app = create_app(settings=settings, database=db, demo=demo)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    if demo:
        logins = ensure_demo_accounts(db)
        console.print(
            f"Demo database (synthetic patients). Demo logins, password [bold]{DEMO_PASSWORD}"
            "[/bold]:"
        )
        for login in logins:
            console.print(f"  {login.username:<18} {login.role:<11} {login.note}")
    console.print(f"painmap web app: [bold]http://{shown}:{port}/[/bold]  (press Ctrl+C to stop)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
        return
    # several processes: each builds the same app from the environment
    from painmap.store.engine import DATABASE_URL_ENV
    from painmap.web.main import ENV_CONTENT_PACK, ENV_DEMO, ENV_HTTPS

    os.environ[DATABASE_URL_ENV] = db.store.url
    os.environ[ENV_HTTPS] = "1" if https else "0"
    os.environ[ENV_DEMO] = "1" if demo else "0"
    if content_pack is not None:
        os.environ[ENV_CONTENT_PACK] = str(content_pack)
    db.store.close()
    uvicorn.run(
        "painmap.web.main:app_from_environment", factory=True, workers=workers, host=host,
        port=port, access_log=False, log_level="warning",
        # a worker importing the app on a busy machine can take longer than uvicorn's
        # default 5 s to answer its supervisor's ping; do not kill it for that
        timeout_worker_healthcheck=60,
    )


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (3-64 letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="patient, clinician, researcher or admin.")],
    patient: Annotated[
        str | None, typer.Option("--patient", help="Patient id (patient accounts only).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Create a web account (the password is read from stdin, never from arguments)."""
    from pydantic import ValidationError

    from painmap.commands._common import format_pydantic_error
    from painmap.store import Actor
    from painmap.store import audit as audit_log
    from painmap.web import crud
    from painmap.web.core.config import utcnow
    from painmap.web.core.db import Database
    from painmap.web.models import UserCreate

    if not password_stdin:
        raise ValidationFailure("--password-stdin", "give the password on standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        data = UserCreate(
            username=username, role=role, password=password,  # type: ignore[arg-type]
            patient_id=patient,
        )
    except ValidationError as exc:
        raise ValidationFailure("user", format_pydantic_error(exc).replace("\n", "; ")) from exc
    db = Database(database)
    if patient is not None and patient not in set(db.store.patient_ids()):
        raise ValidationFailure("--patient", f"no patient with id {patient!r}")
    with db.tx() as s:
        user = crud.create_user(s, data, now=utcnow())
        audit_log.append(
            s, Actor("cli", "admin"), "create", "user", entity_id=user.username,
            detail={"new": {"role": user.role}},
        )
    console.print(f"created {user.role} account {user.username}")


@audit_app.command("verify")
def audit_verify(database: DatabaseOption = None) -> None:
    """Recompute the audit hash chain; exit 1 when any row was changed or removed."""
    from painmap.store import audit as audit_log
    from painmap.web.core.db import Database

    db = Database(database)
    with db.tx() as s:
        report = audit_log.verify_chain(s)
    if not report.ok:
        where = f" at row {report.first_bad_id}" if report.first_bad_id is not None else ""
        err_console.print(
            f"[red]audit chain BROKEN[/red]{where}: {report.reason} "
            f"({report.rows} rows verified before)", highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"audit chain ok: {report.rows} rows")


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write (must not exist).")],
    database: DatabaseOption = None,
) -> None:
    """Write the whole audit log as CSV (the export itself is audited)."""
    from painmap.store import audit as audit_log
    from painmap.store import cli_actor
    from painmap.web.core.db import Database
    from painmap.web.crud import aware
    from painmap.web.routes.api_audit import CSV_COLUMNS

    if out.exists():
        raise ValidationFailure("--out", "already exists; choose a new file")
    db = Database(database)
    with db.tx() as s:
        audit_log.append(s, cli_actor(), "export", "audit_log")
    partial = out.with_name(out.name + ".partial")
    n = 0
    with partial.open("w", newline="", encoding="utf-8") as fh, db.tx() as s:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for row in audit_log.iter_rows(s):
            writer.writerow(
                [row.id, aware(row.at).isoformat(), row.actor, row.role, row.action, row.entity,
                 row.entity_id or "", row.patient_id or "",
                 json.dumps(row.detail, sort_keys=True) if row.detail is not None else "",
                 row.prev_hash, row.hash]
            )
            n += 1
    partial.replace(out)
    console.print(f"wrote {n} audit rows to {out}")


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``user`` and ``audit`` to the CLI."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
