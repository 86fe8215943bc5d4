"""NDJSON interchange: one :class:`~painmap.record.models.Patient` per line.

Each line is the Patient model's JSON (encounters and their records nested), keys in
model field order, encounters in date order and records in their stored order, so
that exporting the same data twice gives the same bytes. The JSON Schema of a line is
:func:`patient_json_schema` (published as ``docs/schema/patient.schema.json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from painmap.core.errors import PainmapError, ValidationFailure
from painmap.record.models import Patient


class NdjsonLineError(PainmapError):
    """A line of an NDJSON file that is not a valid patient.

    Attributes
    ----------
    line : int
        1-based line number.
    error : pydantic.ValidationError or ValidationFailure
        What was wrong, with the field path.
    """

    def __init__(self, line: int, error: ValidationError | ValidationFailure) -> None:
        self.line = line
        self.error = error
        if isinstance(error, ValidationError):
            parts = [
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
                for e in error.errors()
            ]
            text = "; ".join(parts)
        else:
            text = str(error)
        super().__init__(f"line {line}: {text}")


def dump_patient(patient: Patient) -> str:
    """One NDJSON line (without the newline) for a patient."""
    return patient.model_dump_json()


def parse_line(text: str | bytes, line: int) -> Patient:
    """Validate one NDJSON line into a Patient.

    Raises
    ------
    NdjsonLineError
        Naming the line and the field path of every problem.
    """
    try:
        return Patient.model_validate_json(text)
    except ValidationError as exc:
        raise NdjsonLineError(line, exc) from None
    except ValidationFailure as exc:
        raise NdjsonLineError(line, exc) from None


def iter_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, bytes)`` for each non-blank line of a file."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if raw.strip():
                yield n, raw


def read_ndjson(path: str | os.PathLike[str]) -> Iterator[Patient]:
    """Stream the patients of an NDJSON file, validating each line.

    Raises
    ------
    NdjsonLineError
        At the first invalid line.
    """
    for n, raw in iter_lines(path):
        yield parse_line(raw, n)


@dataclass
class FileSummary:
    """What :func:`validate_file` found in a valid file."""

    patients: int = 0
    encounters: int = 0
    records: int = 0
    #: Patient id -> line number.
    lines: dict[str, int] = field(default_factory=dict)
    #: The validated patients, when the file was small enough to keep them.
    kept: list[Patient] | None = None


def validate_file(
    path: str | os.PathLike[str],
    *,
    keep_up_to: int = 20_000,
    on_line: Any = None,
) -> FileSummary:
    """Validate every line of an NDJSON file and check patient ids are unique.

    Parameters
    ----------
    path : path-like
        The NDJSON file.
    keep_up_to : int, optional
        Keep the validated patients in memory when there are at most this many
        (so the caller need not parse the file twice).
    on_line : callable, optional
        Called with the number of bytes of each line read (for a progress bar).

    Returns
    -------
    FileSummary
        Counts and the line of each patient id.

    Raises
    ------
    NdjsonLineError
        At the first invalid line, or a patient id seen on an earlier line.
    """
    summary = FileSummary(kept=[])
    for patient in stream_file(path, summary, on_line=on_line):
        if summary.kept is not None:
            if len(summary.kept) < keep_up_to:
                summary.kept.append(patient)
            else:
                summary.kept = None
    return summary


def stream_file(
    path: str | os.PathLike[str], summary: FileSummary, *, on_line: Any = None
) -> Iterator[Patient]:
    """Validate the lines of an NDJSON file one by one and yield each patient.

    The single-pass reader behind :func:`validate_file` and the import: each line is
    parsed and validated exactly once, and ``summary`` (counts, line of each id) is
    updated before its patient is yielded.

    Parameters
    ----------
    path : path-like
        The NDJSON file.
    summary : FileSummary
        Filled in as lines are read (``kept`` is left alone).
    on_line : callable, optional
        Called with the number of bytes of each line read (for a progress bar).

    Raises
    ------
    NdjsonLineError
        At the first invalid line, or a patient id seen on an earlier line.
    """
    lines = summary.lines
    for n, raw in iter_lines(path):
        patient = parse_line(raw, n)
        if patient.id in lines:
            first = lines[patient.id]
            raise NdjsonLineError(
                n,
                ValidationFailure("id", f"patient {patient.id!r} already appears on line {first}"),
            )
        lines[patient.id] = n
        summary.patients += 1
        summary.encounters += len(patient.encounters)
        summary.records += sum(len(e.records) for e in patient.encounters)
        if on_line is not None:
            on_line(len(raw))
        yield patient


def write_ndjson(patients: Iterable[Patient], out: IO[str]) -> int:
    """Write patients, one per line; return how many were written."""
    n = 0
    for p in patients:
        out.write(dump_patient(p))
        out.write("\n")
        n += 1
    return n


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one NDJSON line, generated from the models."""
    schema = Patient.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    return schema


def schema_text() -> str:
    """:func:`patient_json_schema` as stable, indented JSON text (ends with a newline)."""
    return json.dumps(patient_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: str | os.PathLike[str]) -> Path:
    """Write the JSON Schema file; return its path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8")
    return target
