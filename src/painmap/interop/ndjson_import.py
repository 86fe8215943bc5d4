"""Import an NDJSON file into the store in one pass, all or nothing.

Each line is parsed and validated exactly once (:func:`painmap.interop.ndjson.stream_file`)
and its patient written in the same database transaction, in batches. Any invalid line,
a patient id repeated in the file, or a patient id already in the database rolls the
whole transaction back, so nothing of the file is stored. When ids already exist, the
rest of the file is still read and validated (an invalid line is reported first, as a
two-pass import would) and every clashing id is counted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import islice

from painmap.core.errors import PainmapError
from painmap.interop.ndjson import FileSummary, stream_file
from painmap.record.models import Patient
from painmap.store import Actor, Store
from painmap.store.repository import BATCH


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
        Patients per batch of inserts.

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

    def checked() -> Iterator[Patient]:
        patients = stream_file(path, summary, on_line=on_line)
        while chunk := list(islice(patients, batch)):
            found = store.existing_patient_ids([p.id for p in chunk])
            clash.update(found)
            if not clash:
                yield from chunk
        if clash:
            first = min(clash, key=summary.lines.__getitem__)
            raise ExistingPatients(summary.lines[first], first, len(clash))

    store.add_patients(checked(), actor=actor)
    return summary


__all__ = ["ExistingPatients", "import_ndjson"]
