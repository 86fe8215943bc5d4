"""``painmap generators ...``: knowledge base, ranking, explanation, cohorts, stored patients."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from painmap.commands._common import DatabaseOption, console, print_json
from painmap.core.errors import ValidationFailure
from painmap.generators import (
    COLUMNS,
    compile_cohort,
    evidence_from_record,
    explain,
    load_kb,
    parse_evidence,
    posterior_matrix,
    rank,
)
from painmap.generators.knowledge import (
    citations,
    load_asymptomatic_data,
    load_priors_data,
)

generators_app = typer.Typer(
    help="Rank the likely pain generators from drawing, exam, MRI, EMG and blocks.",
    no_args_is_help=True,
)

FileArg = Annotated[str, typer.Argument(help="Evidence JSON file, or - for stdin.")]


def _read_text(path: str, field: str = "FILE") -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailure(field, f"cannot read {path}: {exc}") from None


def _read_json(path: str) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailure(
            "FILE", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


@generators_app.command("kb")
def kb_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole knowledge base as JSON.")
    ] = False,
) -> None:
    """List the knowledge base: evidence items, targets, accuracy and citations."""
    kb = load_kb()
    if as_json:
        print_json(
            {
                "version": kb.version,
                "description": kb.description,
                "items": [i.model_dump(mode="json", exclude_none=True) for i in kb.items],
                "citations": citations(),
                "priors": load_priors_data(),
                "asymptomatic_prevalence": load_asymptomatic_data(),
            }
        )
        return
    table = Table(title=f"painmap knowledge base {kb.version} (citations: --json)")
    table.add_column("id", no_wrap=True)
    for col in ("target", "LR+", "LR-", "verified"):
        table.add_column(col)
    for item in kb.items:
        for t in item.targets:
            acc = t.accuracy
            lr_neg = acc.lr_neg if acc else None
            table.add_row(
                item.id,
                t.structure,
                f"{acc.lr_pos:.2f}" if acc else "-",
                f"{lr_neg:.2f}" if lr_neg is not None else "-",
                ("yes" if acc.verified else "no") if acc else "not counted",
            )
    console.print(table)


@generators_app.command("rank")
def rank_command(file: FileArg) -> None:
    """Rank one patient's evidence JSON; print the ranking as JSON."""
    result = rank(parse_evidence(_read_json(file)))
    print_json(result.model_dump(mode="json"))


@generators_app.command("explain")
def explain_command(
    file: FileArg,
    top: Annotated[int, typer.Option(min=1, help="Candidates to detail.")] = 8,
) -> None:
    """Rank one patient's evidence JSON; print readable text with citations."""
    result = rank(parse_evidence(_read_json(file)))
    sys.stdout.write(explain(result, top=top))


@generators_app.command("rank-batch")
def rank_batch_command(
    file: Annotated[str, typer.Argument(help="NDJSON: one evidence object per line, or -.")],
    top: Annotated[int, typer.Option(min=1, help="Top candidates per line.")] = 3,
    full: Annotated[bool, typer.Option("--full", help="Print every posterior.")] = False,
) -> None:
    """Rank a cohort (one evidence object per NDJSON line), vectorised.

    A line may carry an ``id`` key beside the evidence. Every line is checked before
    anything is printed: one bad line fails the whole run.
    """
    text = _read_text(file)
    evidences = []
    ids: list[Any] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationFailure(f"line {n}", f"not valid JSON ({exc.msg})") from None
        ident = data.pop("id", None) if isinstance(data, dict) else None
        evidences.append(parse_evidence(data, where=f"line {n}: "))
        ids.append(ident if ident is not None else n)
    matrix = posterior_matrix(compile_cohort(evidences))
    order = (-matrix).argsort(axis=1, kind="stable")[:, :top]
    out = sys.stdout
    for row, ident in enumerate(ids):
        record: dict[str, Any] = {"id": ident}
        if full:
            record["posteriors"] = {
                c: round(float(v), 6) for c, v in zip(COLUMNS, matrix[row], strict=True)
            }
        else:
            record["top"] = [
                {"id": COLUMNS[j], "posterior": round(float(matrix[row, j]), 6)} for j in order[row]
            ]
            record["other"] = round(float(matrix[row, -1]), 6)
        out.write(json.dumps(record) + "\n")
    out.flush()


@generators_app.command("rank-patient")
def rank_patient_command(
    patient_id: Annotated[str, typer.Argument(metavar="ID", help="Pseudonymous patient id.")],
    database: DatabaseOption = None,
    encounter: Annotated[
        str | None, typer.Option(help="Rank with records up to this encounter.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Rank with records up to this date (YYYY-MM-DD).")
    ] = None,
    text: Annotated[bool, typer.Option("--text", help="Readable text instead of JSON.")] = False,
) -> None:
    """Rank a stored patient (per encounter with --encounter)."""
    from painmap.store import cli_actor, open_store

    until_date = None
    if until is not None:
        try:
            until_date = date.fromisoformat(until)
        except ValueError:
            raise ValidationFailure("--until", f"not a date: {until!r}", ["YYYY-MM-DD"]) from None
    with open_store(database) as store:
        patient = store.get_patient(patient_id, actor=cli_actor())
    evidence = evidence_from_record(patient, until=until_date, encounter_id=encounter)
    result = rank(evidence)
    if text:
        sys.stdout.write(explain(result))
    else:
        print_json(result.model_dump(mode="json"))


def register(app: typer.Typer) -> None:
    """Add ``painmap generators`` to the root app."""
    app.add_typer(generators_app, name="generators")
