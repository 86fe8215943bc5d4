"""Import an NDJSON file into the store in one pass, all or nothing.

Each line is parsed and validated exactly once (:func:`painmap.interop.ndjson.stream_file`)
and its patient written in the same database transaction, in batches. Any invalid line,
a patient id repeated in the file, or a patient id already in the database rolls the
whole transaction back, so nothing of the file is stored. When ids already exist, the
rest of the file is still read and validated (an invalid line is reported first, as a
two-pass import would) and every clashing id is counted.

On SQLite, lines are validated and turned into ready rows in chunks
(:func:`painmap.interop.ndjson_rows.prepare`), in worker processes for a large file, so
that validation runs on every core while this process writes. A worker is given a byte
range of whole lines and reads it itself (:func:`prepare_range`), so the lines never
pass through this process; results are taken in file order, so the first invalid line
(or repeated id) is the one reported, exactly as in a one-by-one read. PostgreSQL takes
validated models through :meth:`~painmap.store.Store.add_patients`.
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
from dataclasses import dataclass
from itertools import islice

from painmap.core.errors import PainmapError, ValidationFailure
from painmap.interop.ndjson import (
    FileSummary,
    NdjsonLineError,
    parse_line,
    stream_file,
)
from painmap.interop.ndjson_rows import Prepared, prepare
from painmap.record.models import Patient
from painmap.store import Actor, Store
from painmap.store.bulk import RowBatch
from painmap.store.repository import BATCH

#: Bytes of whole lines per chunk handed to :func:`prepare_range` (a longer line is
#: one chunk of its own).
CHUNK_BYTES = 2_000_000
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


class ImportInconsistency(PainmapError):
    """A line the fast path rejected was then accepted by the models (a painmap bug).

    Nothing was imported. The two validations are meant to agree, and tests hold them
    to it; this error names the line so that the disagreement can be reported.
    """

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(
            f"line {line}: rejected by the import's fast path but accepted by the record "
            "models; nothing was imported (this is a bug in painmap: please report it "
            "with this line)"
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
        for span, done in _prepared(path, workers):
            for n, pid in done.ids:
                if pid in lines:
                    first = lines[pid]
                    raise NdjsonLineError(
                        n,
                        ValidationFailure("id", f"patient {pid!r} already appears on line {first}"),
                    )
                lines[pid] = n
            if done.error_line is not None:
                assert done.error_text is not None
                parse_line(done.error_text, done.error_line)  # raises the line's error
                raise ImportInconsistency(done.error_line)
            summary.patients += len(done.ids)
            summary.encounters += done.encounters
            summary.records += done.records
            if on_line is not None:
                on_line(span.length)
            yield done.rows  # the store adds ids already in the database to `clash`
        raise_clash()

    store.add_row_batches(ready(), actor=actor, existing=clash)
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


@dataclass(frozen=True)
class Span:
    """A run of whole lines of a file: where it starts, how long it is, its first line."""

    offset: int
    length: int
    first_line: int


def spans(path: str | os.PathLike[str], size: int | None = None) -> Iterator[tuple[int, int]]:
    """``(offset, length)`` of consecutive runs of whole lines, about ``size`` bytes each.

    Only the bytes around each boundary are read: a run ends at the first line end at
    or after ``size`` bytes (default :data:`CHUNK_BYTES`) from its start.
    """
    size = CHUNK_BYTES if size is None else size
    with open(path, "rb") as fh:
        end_of_file = os.fstat(fh.fileno()).st_size
        offset = 0
        while offset < end_of_file:
            fh.seek(min(offset + size, end_of_file) - 1)
            fh.readline()  # to the end of the line holding the last byte of the run
            stop = min(fh.tell(), end_of_file)
            yield offset, stop - offset
            offset = stop


def prepare_range(path: str | os.PathLike[str], offset: int, length: int) -> Prepared:
    """Read a run of whole lines and :func:`~painmap.interop.ndjson_rows.prepare` it.

    Line numbers in the result count from 1 at ``offset``; blank lines are skipped
    (and counted). :attr:`Prepared.lines` is the number of lines in the run.
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    texts = data.split(b"\n")
    if texts[-1] == b"":  # the run ends with a line end
        texts.pop()
    numbered = [(n, raw) for n, raw in enumerate(texts, start=1) if raw.strip()]
    done = prepare(numbered)
    done.lines = len(texts)
    done.rows.pack()  # the statements' parameters, built here rather than by the writer
    return done


def _prepared(path: str | os.PathLike[str], workers: int) -> Iterator[tuple[Span, Prepared]]:
    """Each run of lines with what :func:`prepare_range` made of it, in file order.

    Line numbers in the results are those of the file.
    """
    base = 0
    for (offset, length), done in _ranges(path, workers):
        done.renumber(base)
        yield Span(offset, length, base + 1), done
        base += done.lines


def _ranges(
    path: str | os.PathLike[str], workers: int
) -> Iterator[tuple[tuple[int, int], Prepared]]:
    if workers <= 0:
        for span in spans(path):
            yield span, prepare_range(path, *span)
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
        pending: deque[tuple[tuple[int, int], Future[Prepared]]] = deque()
        for span in spans(path):
            pending.append((span, pool.submit(prepare_range, path, *span)))
            if len(pending) > 2 * workers:
                head, future = pending.popleft()
                yield head, future.result()
        while pending:
            head, future = pending.popleft()
            yield head, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = [
    "CHUNK_BYTES",
    "ExistingPatients",
    "ImportInconsistency",
    "Span",
    "import_ndjson",
    "prepare_range",
    "spans",
]
