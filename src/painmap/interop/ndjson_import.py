"""Import an NDJSON file into the store in one pass, all or nothing.

Each line is parsed and validated exactly once (:func:`painmap.interop.ndjson.stream_file`)
and its patient written in the same database transaction, in batches. Any invalid line,
a patient id repeated in the file, or a patient id already in the database rolls the
whole transaction back, so nothing of the file is stored. When ids already exist, the
rest of the file is still read and validated (an invalid line is reported first, as a
two-pass import would) and every clashing id is counted.

On SQLite, lines are validated and turned into ready rows in chunks
(:func:`painmap.interop.ndjson_rows.prepare`), in worker processes for a large file, so
that validation runs on every core while this process writes; results are taken in
file order, so the first invalid line (or repeated id) is the one reported, exactly as
in a one-by-one read. PostgreSQL takes validated models through
:meth:`~painmap.store.Store.add_patients`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from painmap.core.errors import PainmapError, ValidationFailure
from painmap.interop.ndjson import (
    FileSummary,
    NdjsonLineError,
    iter_lines,
    parse_line,
    stream_file,
)
from painmap.interop.ndjson_rows import Prepared, prepare
from painmap.record.models import Patient
from painmap.store import Actor, Store
from painmap.store.bulk import RowBatch
from painmap.store.repository import BATCH

#: Lines per chunk handed to :func:`~painmap.interop.ndjson_rows.prepare`.
CHUNK = 250
#: Files at least this large are validated in worker processes (``workers=None``).
PARALLEL_MIN_BYTES = 16_000_000
#: Most workers by default: one writer keeps up with about three (see docs/performance.md).
MAX_WORKERS = 3


class ExistingPatients(PainmapError):
    """Patients of the file that already exist in the database (nothing was imported).

    Attributes
    ----------
    line : int
        Line of the first such patient in the file.
    patient_id : str
        Its id.
    count : int
        How many patients of the file already exist.
    """

    def __init__(self, line: int, patient_id: str, count: int) -> None:
        self.line = line
        self.patient_id = patient_id
        self.count = count
        super().__init__(
            f"line {line}: id: patient {patient_id!r} already exists in the database "
            f"({count} such patients)"
        )


def import_ndjson(
    store: Store,
    path: str | os.PathLike[str],
    *,
    actor: Actor,
    on_line: Callable[[int], object] | None = None,
    batch: int = BATCH,
    workers: int | None = None,
) -> FileSummary:
    """Validate and import every patient of an NDJSON file in one transaction.

    Parameters
    ----------
    store : Store
        The open store.
    path : path-like
        NDJSON file, one patient per line.
    actor : Actor
        Who imports (one ``import`` audit row per patient, in the same transaction).
    on_line : callable, optional
        Called with the number of bytes of each line read (for a progress bar).
    batch : int, optional
        Patients per batch of inserts (PostgreSQL).
    workers : int, optional
        SQLite: worker processes validating lines (0: validate in this process).
        Default: one per CPU (at most :data:`MAX_WORKERS`) for files of at least
        :data:`PARALLEL_MIN_BYTES`, else 0.

    Returns
    -------
    FileSummary
        Counts of what was imported and the line of each patient id (``kept`` is None).

    Raises
    ------
    NdjsonLineError
        For the first invalid line or repeated id; nothing was imported.
    ExistingPatients
        When patients of the file already exist; nothing was imported.
    """
    summary = FileSummary()
    clash: set[str] = set()

    def raise_clash() -> None:
        if clash:
            first = min(clash, key=summary.lines.__getitem__)
            raise ExistingPatients(summary.lines[first], first, len(clash))

    if store.backend != "sqlite":

        def checked() -> Iterator[Patient]:
            patients = stream_file(path, summary, on_line=on_line)
            while chunk := list(islice(patients, batch)):
                found = store.existing_patient_ids([p.id for p in chunk])
                clash.update(found)
                if not clash:
                    yield from chunk
            raise_clash()

        store.add_patients(checked(), actor=actor)
        return summary

    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 0
    elif workers is None:
        big = os.path.getsize(path) >= PARALLEL_MIN_BYTES
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if big else 0

    def ready() -> Iterator[RowBatch]:
        lines = summary.lines
        for chunk, done in _prepared(path, workers):
            for n, pid in done.ids:
                if pid in lines:
                    first = lines[pid]
                    raise NdjsonLineError(
                        n,
                        ValidationFailure("id", f"patient {pid!r} already appears on line {first}"),
                    )
                lines[pid] = n
            if done.error_line is not None:
                raw = next(r for k, r in chunk if k == done.error_line)
                parse_line(raw, done.error_line)  # raises the line's error
                raise AssertionError(f"line {done.error_line} was rejected, then accepted")
            summary.patients += len(done.ids)
            summary.encounters += done.encounters
            summary.records += done.records
            if on_line is not None:
                for _, raw in chunk:
                    on_line(len(raw))
            clash.update(store.existing_patient_ids([pid for _, pid in done.ids]))
            if not clash:
                yield done.rows
        raise_clash()

    store.add_row_batches(ready(), actor=actor)
    return summary


def _end_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the importing process dies.

    A killed importer (SIGKILL included) cannot shut its pool down; its idle workers
    would wait for work forever. On Linux the kernel signals them instead. Ctrl-C is
    left to the importer (which rolls back and stops the pool), so workers print no
    traceback of their own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):  # no prctl: workers end with their queue
            pass
    if os.getppid() != parent:  # the importer died before the call above
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def line_chunks(path: str | os.PathLike[str]) -> Iterator[list[tuple[int, bytes]]]:
    """Non-blank lines of a file with their 1-based numbers, :data:`CHUNK` at a time."""
    lines = iter_lines(path)
    while chunk := list(islice(lines, CHUNK)):
        yield chunk


def _prepared(
    path: str | os.PathLike[str], workers: int
) -> Iterator[tuple[list[tuple[int, bytes]], Prepared]]:
    """Each chunk of lines with what :func:`prepare` made of it, in file order."""
    if workers <= 0:
        for chunk in line_chunks(path):
            yield chunk, prepare(chunk)
        return
    # fork: the workers need nothing from this process but the code, and unlike spawn
    # or forkserver it does not re-run the calling script's main module
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_end_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        pending: deque[tuple[list[tuple[int, bytes]], Future[Prepared]]] = deque()
        for chunk in line_chunks(path):
            pending.append((chunk, pool.submit(prepare, chunk)))
            if len(pending) > 2 * workers:
                head, future = pending.popleft()
                yield head, future.result()
        while pending:
            head, future = pending.popleft()
            yield head, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["CHUNK", "ExistingPatients", "import_ndjson", "line_chunks"]
