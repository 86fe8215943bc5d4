"""Parquet export: one analysis-ready row per record (pyarrow).

Each row carries its patient (id, birth year, sex, pain onset) and encounter (id, date)
next to the record's typed columns (the same ones the store indexes: instrument and
score, finding/test code, treatment type, level, side, root, dates) and the raw record
as JSON text in ``payload``. An encounter without records gives one row with null
record columns; so does a patient without encounters. Rows are in patient id,
encounter date and record position order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from painmap.record.models import Patient
from painmap.store.columns import record_columns

SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("birth_year", pa.int16()),
        ("sex", pa.string()),
        ("pain_onset", pa.date32()),
        ("encounter_id", pa.string()),
        ("encounter_date", pa.date32()),
        ("position", pa.int32()),
        ("kind", pa.string()),
        ("instrument", pa.string()),
        ("score", pa.float64()),
        ("score_max", pa.float64()),
        ("score_category", pa.string()),
        ("score_complete", pa.bool_()),
        ("score_answered", pa.int32()),
        ("code", pa.string()),
        ("treatment_type", pa.string()),
        ("target", pa.string()),
        ("level", pa.string()),
        ("side", pa.string()),
        ("root", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("pain_pre", pa.float64()),
        ("pain_post", pa.float64()),
        ("marks", pa.int32()),
        ("intensity_max", pa.float64()),
        ("payload", pa.string()),
    ]
)

_RECORD_FIELDS = [f.name for f in SCHEMA][7:-1]


def patient_records(patient: Patient) -> Iterator[dict[str, Any]]:
    """The Parquet rows (as dicts) of one patient."""
    base: dict[str, Any] = {
        "patient_id": patient.id,
        "birth_year": patient.birth_year,
        "sex": str(patient.sex),
        "pain_onset": patient.pain_onset,
    }
    if not patient.encounters:
        yield base
        return
    for enc in patient.encounters:
        head = {**base, "encounter_id": enc.id, "encounter_date": enc.date}
        if not enc.records:
            yield head
        for pos, rec in enumerate(enc.records):
            cols = record_columns(rec)
            row = {**head, "position": pos, "kind": rec.kind, "payload": rec.model_dump_json()}
            for name in _RECORD_FIELDS:
                if name in cols:
                    row[name] = cols[name]
            yield row


def write_parquet(
    patients: Iterable[Patient], path: str | os.PathLike[str], *, batch: int = 1000
) -> int:
    """Write the Parquet file; return the number of patients written.

    Parameters
    ----------
    patients : iterable of Patient
        In the order wanted in the file.
    path : path-like
        Output file (overwritten).
    batch : int, optional
        Patients per row group.
    """
    n = 0
    it = iter(patients)
    with pq.ParquetWriter(os.fspath(path), SCHEMA, compression="zstd") as writer:
        while chunk := list(islice(it, batch)):
            rows = [row for p in chunk for row in patient_records(p)]
            writer.write_table(pa.Table.from_pylist(rows, schema=SCHEMA))
            n += len(chunk)
        if n == 0:
            writer.write_table(SCHEMA.empty_table())
    return n
