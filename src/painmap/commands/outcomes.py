"""``painmap outcomes patient|cohort`` and ``painmap report patient``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from painmap.commands._common import DatabaseOption, console, err_console, print_json
from painmap.core.errors import ValidationFailure

outcomes_app = typer.Typer(help="Treatment outcomes: change, responders, durability, models.",
                           no_args_is_help=True)
report_app = typer.Typer(help="Printable reports.", no_args_is_help=True)

PatientId = Annotated[str, typer.Argument(help="Pseudonymous patient id.", show_default=False)]


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


@outcomes_app.command("patient")
def outcomes_patient(
    patient_id: PatientId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Outcomes of one patient's treatments: change from baseline and responder class."""
    from painmap.outcomes import patient_outcomes
    from painmap.store import cli_actor, open_store

    with open_store(database) as store:
        patient = store.get_patient(patient_id, actor=cli_actor())
    result = patient_outcomes(patient)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    if not result.episodes:
        console.print(f"{patient_id}: no treatment recorded")
        return
    for eo in result.episodes:
        ep = eo.episode
        where = " ".join(x for x in (ep.target, ep.level, ep.root, ep.side) if x)
        match = {True: "yes", False: "no", None: "not ranked"}[ep.matched_top]
        title = (f"Episode {ep.episode}: {ep.type} → {where or 'unspecified'} "
                 f"(start {ep.start}); aimed at the top-ranked generator: {match}"
                 f" [{ep.top_generator or '–'}]")
        table = Table(title=title, title_justify="left")
        for col in ("instrument", "baseline", "month", "date", "score", "change", "% better",
                    "responder"):
            table.add_column(col, justify="right" if col not in ("instrument", "responder")
                             else "left")
        for io in eo.outcomes:
            for k, tp in enumerate(io.time_points):
                resp = tp.responder_level or ("no rule" if tp.meaningful is None
                                              and tp.followup is not None else "–")
                if tp.meaningful is False and tp.responder_level is None:
                    resp = "none"
                table.add_row(io.instrument if k == 0 else "",
                              _fmt(io.baseline) if k == 0 else "", str(tp.month),
                              str(tp.followup_date or "no visit"), _fmt(tp.followup),
                              _fmt(tp.change), _fmt(tp.improvement_percent, 0), resp)
        console.print(table)
        console.print(f"  durability: {eo.durability_text()}\n")
    console.print(f"[dim]{result.note}[/dim]")


@outcomes_app.command("cohort")
def outcomes_cohort(
    out: Annotated[Path, typer.Option("--out", help="Output directory for TSVs and PNGs.",
                                      file_okay=False)],
    by: Annotated[str, typer.Option("--by", help="Group by treatment type or by generator "
                                    "phenotype (the structure treated).")] = "treatment",
    model: Annotated[bool, typer.Option("--model/--no-model",
                                        help="Fit the mixed models.")] = True,
    model_max_patients: Annotated[int, typer.Option(
        "--model-max-patients", min=20,
        help="Fit the models on a random sample of this many patients in larger cohorts "
             "(statsmodels MixedLM takes about 1 CPU-second per 1,000 patients per "
             "model).")]
    = 3_000,
    match: Annotated[bool, typer.Option(
        "--match/--no-match",
        help="Rank the generators at each treatment start and report responder rates by "
             "whether the target matched the top-ranked generator (reads every record; "
             "slower on large cohorts).")] = False,
    database: DatabaseOption = None,
) -> None:
    """Cohort outcomes: responder rates, trajectories, Kaplan-Meier curves, mixed models."""
    import pandas as pd
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from painmap.report.cohort import GROUP_COLUMN, cohort_report
    from painmap.report.cohort_data import read_frames
    from painmap.store import cli_actor, open_store

    if by not in GROUP_COLUMN:
        raise ValidationFailure("--by", f"unknown grouping {by!r}", list(GROUP_COLUMN))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("reading the cohort from the store", total=None)
        matched = None
        with open_store(database) as store:
            frames = read_frames(store, actor=cli_actor())
            if match:
                from painmap.outcomes import treatment_episodes

                bar.update(task, description="ranking generators at each treatment start")
                eps = treatment_episodes(store.iter_patients(actor=cli_actor()))
                matched = pd.DataFrame([e.model_dump() for e in eps])
        if frames.patients.empty:
            raise ValidationFailure("database", "holds no patient; load some first "
                                    "(painmap import, or painmap demo)")
        bar.update(task, description="computing outcomes, durability and models")
        result = cohort_report(frames, out, by=by, model=model,  # type: ignore[arg-type]
                               model_max_patients=model_max_patients, matched=matched)
    console.print(result.summary, highlight=False, soft_wrap=True)
    console.print(f"\nwrote {len(result.files)} files to {out}")


@report_app.command("patient")
def report_patient(
    patient_id: PatientId,
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write.",
                                         dir_okay=False)],
    database: DatabaseOption = None,
) -> None:
    """A printable clinical report of one patient (PDF)."""
    from painmap.report.patient_pdf import write_patient_report
    from painmap.store import cli_actor, open_store

    if output.suffix.lower() != ".pdf":
        raise ValidationFailure("--output", "must name a .pdf file", [".pdf"])
    with open_store(database) as store:
        patient = store.get_patient(patient_id, actor=cli_actor())
    pages = write_patient_report(patient, output)
    console.print(f"wrote {output} ({pages} pages)")


def register(app: typer.Typer) -> None:
    """Add ``painmap outcomes`` and ``painmap report`` to the CLI."""
    app.add_typer(outcomes_app, name="outcomes")
    app.add_typer(report_app, name="report")
