"""Server-side checks of submitted records, and clear messages for the pages."""

from __future__ import annotations

from pydantic import ValidationError

from painmap.commands._common import format_pydantic_error
from painmap.core.errors import ValidationFailure
from painmap.record.models import PainDrawingRecord, Record


def check_record(record: Record) -> None:
    """Checks that need more than the record model (pain drawings against the chart).

    Raises
    ------
    ValidationFailure
        When a drawing names an unknown region or draws off the chart.
    """
    if isinstance(record, PainDrawingRecord):
        from painmap.bodymap import validate_drawing

        validate_drawing(record)


def describe_error(exc: Exception) -> str:
    """One readable message naming the field and, where known, the allowed values."""
    if isinstance(exc, ValidationError):
        return format_pydantic_error(exc).replace("\n", "; ")
    if isinstance(exc, ValidationFailure):
        return str(exc)
    return f"could not read the input: {exc}"
