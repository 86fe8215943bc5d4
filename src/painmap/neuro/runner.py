"""Run participant jobs on Dask, with progress bars.

A :class:`distributed.LocalCluster` is started by default (``workers`` in-process
workers with one thread each, no dashboard; separate processes on request), or jobs go
to an existing scheduler when its address is given. Each job writes only its own
subject's files, atomically, and skips subjects that are done, so a rerun after an
interruption finishes the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from painmap.core.errors import PainmapError, ValidationFailure
from painmap.neuro._deps import require
from painmap.neuro.bidsio import SubjectJob
from painmap.neuro.participant import SubjectResult, process_subject


@dataclass
class RunSummary:
    """Outcome of a participant-level run."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class ParticipantJobsFailed(PainmapError):
    """Some participant jobs failed; the others' outputs were written."""


def run_participants(
    jobs: list[SubjectJob],
    out_dir: Path,
    workers: int = 1,
    scheduler: str | None = None,
    processes: bool = False,
    on_result: Callable[[SubjectResult | None, str], None] | None = None,
) -> RunSummary:
    """Process subjects on a Dask cluster.

    Parameters
    ----------
    jobs : list of SubjectJob
        Work to do.
    out_dir : Path
        Output folder.
    workers : int, optional
        Workers of the local cluster (ignored when ``scheduler`` is given).
    scheduler : str, optional
        Address of an existing Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    processes : bool, optional
        Run local workers as separate processes (true parallelism, a few seconds of
        start-up) instead of threads in this process (default: light, shares the GIL).
    on_result : callable, optional
        Called as ``on_result(result_or_None, subject)`` after each job.

    Returns
    -------
    RunSummary
    """
    if workers < 1:
        raise ValidationFailure("workers", "must be at least 1", ["1, 2, ..."])
    distributed = require("distributed")
    out = str(Path(out_dir).resolve())
    summary = RunSummary()
    cluster: Any = None
    # One BLAS thread everywhere: Dask's process workers (nannies) already run with
    # OMP/OPENBLAS/MKL_NUM_THREADS=1, and in-process thread workers must match them so
    # that every worker configuration gives bit-identical numbers.
    limits = require("threadpoolctl").threadpool_limits(limits=1)
    if scheduler:
        client = distributed.Client(scheduler, set_as_default=False)
    else:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=40,
            # no dashboard; the scheduler's small HTTP server listens on a free local port
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
        client = distributed.Client(cluster, set_as_default=False)
    try:
        futures = {
            client.submit(
                process_subject, job, out, key=f"painmap-participant-{i}", pure=False
            ): job.subject
            for i, job in enumerate(jobs)
        }
        for fut in distributed.as_completed(list(futures), loop=client.loop):
            subject = futures[fut]
            try:
                res: SubjectResult = fut.result()
            except Exception as exc:  # a job's failure must not stop the others
                summary.failed[subject] = f"{type(exc).__name__}: {exc}"
                if on_result:
                    on_result(None, subject)
                continue
            (summary.done if res.status == "done" else summary.skipped).append(subject)
            if on_result:
                on_result(res, subject)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        limits.restore_original_limits()
    summary.done.sort()
    summary.skipped.sort()
    return summary
