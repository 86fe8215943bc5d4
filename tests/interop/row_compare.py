"""Rows of NDJSON lines as the models make them, and a comparable form of a batch."""

from __future__ import annotations

from typing import Any

from painmap.interop.ndjson import parse_line
from painmap.store.bulk import RowBatch, RowBuilder


def model_rows(lines: list[tuple[int, bytes]]) -> RowBatch:
    """The rows of numbered lines validated by the pydantic models (the reference)."""
    builder = RowBuilder()
    for n, raw in lines:
        builder.add(parse_line(raw, n))
    return builder.finish()


def canonical(batch: RowBatch) -> Any:
    """A batch's rows in an order-free form, for equality."""
    return (
        {k: sorted(v) for k, v in batch.patients.items()},
        sorted(batch.encounters),
        {k: sorted(v) for k, v in batch.records.items()},
        batch.audit,
    )
