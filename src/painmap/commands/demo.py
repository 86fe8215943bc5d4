"""``painmap demo``: load a SYNTHETIC demo cohort into the store or an NDJSON file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from painmap.commands._common import DatabaseOption, console, err_console
from painmap.core.errors import ValidationFailure
from painmap.demo import iter_cohort_with_truth
from painmap.record.models import Patient


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _write_ndjson(path: Path, n: int, seed: int) -> None:
    if path.suffix.lower() not in (".ndjson", ".jsonl"):
        raise ValidationFailure("--out", "must name an NDJSON file", [".ndjson", ".jsonl"])
    if path.exists():
        raise ValidationFailure("--out", f"{path} already exists; choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as fh, _progress() as bar:
            task = bar.add_task("generating", total=n)
            for patient, _ in iter_cohort_with_truth(n, seed):
                fh.write(patient.model_dump_json() + "\n")
                bar.advance(task)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def demo(
    patients: Annotated[int, typer.Option("--patients", "-n", min=0, help="Number of patients.")]
    = 200,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, max=2**32 - 1,
                                      help="Random seed; the same seed gives the same cohort.")]
    = 1,
    if_empty: Annotated[bool, typer.Option("--if-empty",
                                           help="Load only when the database holds no patient.")]
    = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write NDJSON here instead of the "
                                             "database.", dir_okay=False)] = None,
    database: DatabaseOption = None,
) -> None:
    """Generate a SYNTHETIC demo cohort (no real patient) and store it.

    Patients have a hidden true pain generator, a baseline work-up, a treatment and
    follow-up visits at 1, 3, 6 and 12 months. Ids are ``demo-<seed>-<n>``.
    """
    if out is not None:
        _write_ndjson(out, patients, seed)
        console.print(f"wrote {patients} synthetic patients to {out}")
        return
    from painmap.store import cli_actor, open_store

    with open_store(database, create=True) as store:
        if if_empty and not store.is_empty():
            console.print(
                f"the database already holds {store.count_patients()} patients; "
                "demo cohort not loaded (--if-empty)"
            )
            return

        def cohort() -> Iterator[Patient]:
            for p, _ in iter_cohort_with_truth(patients, seed):
                yield p

        with _progress() as bar:
            task = bar.add_task("loading demo cohort", total=patients)
            written = store.add_patients(
                cohort(), actor=cli_actor(),
                progress=lambda done: bar.update(task, completed=done),
            )
    console.print(f"loaded {written} synthetic demo patients (seed {seed})")


def register(app: typer.Typer) -> None:
    """Add ``painmap demo`` to the CLI."""
    app.command("demo")(demo)
