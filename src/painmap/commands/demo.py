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


def _parse_effects(items: list[str]) -> dict[str, float]:
    from painmap.core.enums import TreatmentType

    allowed = [t.value for t in TreatmentType]
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in allowed:
            raise ValidationFailure("--effect", f"{item!r} is not TYPE=NUMBER with a known type",
                                    allowed)
        try:
            points = float(value)
        except ValueError:
            raise ValidationFailure("--effect", f"{value!r} is not a number") from None
        if not -10.0 <= points <= 10.0:
            raise ValidationFailure("--effect", f"{points:g} is outside the NRS scale",
                                    ["-10..10"])
        out[name] = points
    return out


def _write_ndjson(path: Path, n: int, seed: int, effects: dict[str, float]) -> None:
    if path.suffix.lower() not in (".ndjson", ".jsonl"):
        raise ValidationFailure("--out", "must name an NDJSON file", [".ndjson", ".jsonl"])
    if path.exists():
        raise ValidationFailure("--out", f"{path} already exists; choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as fh, _progress() as bar:
            task = bar.add_task("generating", total=n)
            for patient, _ in iter_cohort_with_truth(n, seed, treatment_effects=effects):
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
    effect: Annotated[list[str] | None, typer.Option(
        "--effect", help="Plant a treatment effect: TYPE=NRS_POINTS (mean NRS reduction when "
        "aimed at the true generator), e.g. radiofrequency_ablation=4; repeatable.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Generate a SYNTHETIC demo cohort (no real patient) and store it.

    Patients have a hidden true pain generator, a baseline work-up, a treatment and
    follow-up visits at 1, 3, 6 and 12 months. Ids are ``demo-<seed>-<n>``.
    """
    effects = _parse_effects(effect or [])
    if out is not None:
        _write_ndjson(out, patients, seed, effects)
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
            for p, _ in iter_cohort_with_truth(patients, seed, treatment_effects=effects):
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
