"""Record commands: ``init``, ``import``, ``export``, ``patient list|show``, ``backup``.

Every command that touches data takes ``--database URL`` (or ``$PAINMAP_DATABASE_URL``;
default: the SQLite file in the user data directory) and acts as the command-line
actor ``cli:<login>``, so each read and write is in the audit log.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from painmap.bodymap import compute_metrics
from painmap.commands._common import (
    DatabaseOption,
    console,
    err_console,
    format_pydantic_error,
    print_json,
)
from painmap.interop.csv_export import write_csv
from painmap.interop.ndjson import NdjsonLineError, write_ndjson
from painmap.interop.ndjson_import import ExistingPatients, ImportInconsistency, import_ndjson
from painmap.interop.parquet_export import write_parquet
from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    ExamRecord,
    ImagingRecord,
    InstrumentRecord,
    PainDrawingRecord,
    Record,
    TreatmentRecord,
)
from painmap.store import (
    BackupUnsupported,
    StoredScore,
    cli_actor,
    open_store,
    resolve_url,
)
from painmap.store.engine import parse_url

#: Exit status of ``painmap backup`` on PostgreSQL (nothing was backed up; use pg_dump).
EXIT_BACKUP_USE_PG_DUMP = 3

patient_app = typer.Typer(
    help="List patients and show one patient's timeline.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    """Export formats."""

    NDJSON = "ndjson"
    CSV = "csv"
    PARQUET = "parquet"


def shown_url(url: str | None) -> str:
    """The resolved database URL with any password hidden."""
    return parse_url(resolve_url(url)).render_as_string(hide_password=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _explain_line_error(exc: NdjsonLineError) -> str:
    if isinstance(exc.error, ValidationError):
        text = format_pydantic_error(exc.error, prefix=f"line {exc.line}: ")
        if any(e["type"].startswith(("date_", "datetime_")) for e in exc.error.errors()):
            text += f"\nline {exc.line}: dates are written YYYY-MM-DD"
        return text
    return f"line {exc.line}: {exc.error}"


# -- init -------------------------------------------------------------------------------


def init(database: DatabaseOption = None) -> None:
    """Create the database (when absent) and migrate it to the current schema."""
    with open_store(database, create=True) as store:
        console.print(
            f"database ready: {shown_url(database)} "
            f"({store.count_patients()} patients, {store.count_encounters()} encounters)",
            highlight=False,
            soft_wrap=True,
        )


# -- import -----------------------------------------------------------------------------


def import_(
    file: Annotated[
        Path, typer.Argument(help="NDJSON file, one patient per line.", show_default=False)
    ],
    database: DatabaseOption = None,
) -> None:
    """Import patients from NDJSON: each line validated once and written in one
    transaction, all or nothing."""
    if not file.is_file():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    size = file.stat().st_size
    with open_store(database, create=True) as store:
        try:
            with _progress() as bar:
                task = bar.add_task("importing", total=size)
                summary = import_ndjson(
                    store, file, actor=cli_actor(), on_line=lambda n: bar.advance(task, n)
                )
        except NdjsonLineError as exc:
            err_console.print(
                f"[red]error:[/red] {escape(_explain_line_error(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            err_console.print("nothing was imported", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (ExistingPatients, ImportInconsistency) as exc:
            err_console.print(
                f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            err_console.print("nothing was imported", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    console.print(
        f"imported {summary.patients} patients ({summary.encounters} encounters, "
        f"{summary.records} records)",
        highlight=False,
    )


# -- export -----------------------------------------------------------------------------


@contextmanager
def _atomic_output(out: Path, *, binary: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; rename it into place on success."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExportFormat.NDJSON,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output file ('-' for stdout; ndjson/csv).")
    ] = Path("-"),
    database: DatabaseOption = None,
) -> None:
    """Export every patient (ordered by id; the same data always gives the same bytes)."""
    actor = cli_actor()
    with open_store(database) as store, _progress() as bar:
        task = bar.add_task(f"exporting {fmt.value}", total=store.count_patients())

        def patients() -> Iterator[Any]:
            for p in store.iter_patients(actor=actor, action="export"):
                yield p
                bar.advance(task)

        writer: Callable[..., int]
        if str(out) == "-":
            if fmt is ExportFormat.PARQUET:
                raise typer.BadParameter("parquet needs a file", param_hint="--out")
            writer = write_csv if fmt is ExportFormat.CSV else write_ndjson
            n = writer(patients(), sys.stdout)
            sys.stdout.flush()
            return
        with _atomic_output(out) as tmp:
            if fmt is ExportFormat.PARQUET:
                n = write_parquet(patients(), tmp)
            else:
                writer = write_csv if fmt is ExportFormat.CSV else write_ndjson
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    n = writer(patients(), fh)
    err_console.print(f"exported {n} patients to {out}", highlight=False, soft_wrap=True)


# -- patient list / show ----------------------------------------------------------------


@patient_app.command("list")
def patient_list(
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only ids containing this text.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="Rows to show.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """List patients with their number of encounters and first/last visit."""
    with open_store(database) as store:
        rows = store.list_patients(actor=cli_actor(), search=search, limit=limit, offset=offset)
        total = store.count_patients()
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title=f"patients {offset + 1}-{offset + len(rows)} of {total}")
    for col in ("id", "born", "sex", "pain onset", "encounters", "first visit", "last visit"):
        table.add_column(col, justify="right" if col in ("born", "encounters") else "left")
    for r in rows:
        table.add_row(
            r.id,
            str(r.birth_year),
            r.sex,
            _day(r.pain_onset),
            str(r.encounters),
            _day(r.first_visit),
            _day(r.last_visit),
        )
    console.print(table)


def _day(d: date | None) -> str:
    return d.isoformat() if d is not None else "-"


def _num(x: float) -> str:
    return f"{x:g}"


def summarize(record: Record, score: StoredScore | None = None) -> str:
    """A one-line human summary of a record for the timeline."""
    where = " ".join(
        str(v)
        for v in (
            getattr(record, "level", None),
            getattr(record, "root", None),
            getattr(record, "side", None),
        )
        if v is not None
    )
    if isinstance(record, PainDrawingRecord):
        m = compute_metrics(record)
        top = f", best dermatome match {m.dermatomes[0].root}" if m.dermatomes else ""
        quebec = f", Quebec {m.quebec}" if m.quebec is not None else ""
        return (
            f"{m.region_count} regions, {len(record.strokes)} strokes, "
            f"{m.extent_fraction:.1%} of body, {m.laterality}, max {_num(m.max_intensity)}/10, "
            f"WPI {m.wpi}{quebec}{top}"
        )
    if isinstance(record, InstrumentRecord):
        if score is None or score.score is None:
            return f"{record.instrument} (not scorable)"
        text = f"{record.instrument} {_num(score.score)}"
        if score.max is not None:
            text += f"/{_num(score.max)}"
        if score.category:
            text += f" ({score.category})"
        if score.complete is False:
            text += " [incomplete]"
        return text
    if isinstance(record, ExamRecord):
        return f"{record.test} {record.result} {where}".rstrip()
    if isinstance(record, ImagingRecord):
        return f"{record.modality.upper()} {record.finding} {where}".rstrip()
    if isinstance(record, ElectrodiagnosticRecord):
        return f"{record.test.upper()} {record.target} {record.finding} {where}".rstrip()
    if isinstance(record, BlockRecord):
        levels = ",".join(str(lv) for lv in record.levels)
        side = f" {record.side}" if record.side else ""
        return (
            f"{record.type} {levels}{side} ({record.design}): pain {_num(record.pre_pain)}"
            f" -> {_num(record.post_pain)} ({record.relief_percent:.0f}% relief)"
        )
    if isinstance(record, TreatmentRecord):
        target = f" {record.target}" if record.target else ""
        until = f" to {record.end}" if record.end else " (ongoing)"
        return f"{record.type}{target} {where} from {record.start}{until}".replace("  ", " ")
    return str(record.kind)  # pragma: no cover - every kind is handled above


def patient_show(
    patient_id: Annotated[str, typer.Argument(metavar="ID", help="Patient id.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the patient JSON plus stored scores.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Show one patient's timeline: encounters, records, scores, drawing summaries."""
    with open_store(database) as store:
        chart = store.chart(patient_id, actor=cli_actor())
    p = chart.patient
    last = p.encounters[-1].date if p.encounters else date.today()
    duration = p.pain_duration_months(last)
    if as_json:
        print_json(
            {
                "patient": p.model_dump(mode="json"),
                "derived": {
                    "as_of": last.isoformat(),
                    "age": p.age_on(last),
                    "pain_duration_months": round(duration, 1) if duration is not None else None,
                    "chronic": p.is_chronic(last),
                },
                "scores": chart.scores(),
                "drawings": [
                    {
                        "encounter_id": e.encounter_id,
                        "date": e.date.isoformat(),
                        "position": e.position,
                        **compute_metrics(e.record).model_dump(
                            mode="json", exclude={"region_fractions", "region_intensity"}
                        ),
                    }
                    for e in chart.entries
                    if isinstance(e.record, PainDrawingRecord)
                ],
            }
        )
        return
    chronic = p.is_chronic(last)
    lines = [
        f"born {p.birth_year}, {p.sex}, age {p.age_on(last)} on {last}",
        f"pain onset {_day(p.pain_onset)}"
        + (f", {duration:.1f} months" if duration is not None else "")
        + ("" if chronic is None else (", chronic (> 3 months)" if chronic else ", not chronic")),
        f"{len(p.encounters)} encounters, {len(chart.entries)} records",
    ]
    console.print(
        Panel(escape("\n".join(lines)), title=f"patient {p.id}", expand=False),
        highlight=False,
        soft_wrap=True,
    )
    table = Table(show_lines=False)
    for col in ("date", "encounter", "#", "kind", "summary"):
        table.add_column(col)
    by_enc = {(e.encounter_id, e.position): e for e in chart.entries}
    for enc in p.encounters:
        if not enc.records:
            table.add_row(enc.date.isoformat(), enc.id, "", "", "(no records)")
        for pos, rec in enumerate(enc.records):
            entry = by_enc[(enc.id, pos)]
            table.add_row(
                enc.date.isoformat() if pos == 0 else "",
                enc.id if pos == 0 else "",
                str(pos),
                rec.kind,
                escape(summarize(rec, entry.score)),
            )
        table.add_section()
    console.print(table)


# -- backup -----------------------------------------------------------------------------


def backup(
    path: Annotated[Path, typer.Argument(help="New file to write the copy to.")],
    database: DatabaseOption = None,
) -> None:
    """Copy the live SQLite database with SQLite's online backup API (PostgreSQL: pg_dump)."""
    with open_store(database) as store:
        try:
            report = store.backup(path)
        except BackupUnsupported as exc:
            err_console.print(
                f"no backup written: {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(EXIT_BACKUP_USE_PG_DUMP) from None
    console.print(
        f"backup written to {report.path} ({report.bytes} bytes, {report.patients} patients, "
        "integrity check ok)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the record commands to the root CLI."""
    app.command("init")(init)
    app.command("import")(import_)
    app.command("export")(export)
    app.command("backup")(backup)
    patient_app.command("show")(patient_show)
    app.add_typer(patient_app, name="patient")
