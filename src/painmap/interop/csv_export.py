"""Long-format CSV export with REDCap-like columns.

One row per value, like REDCap's "flat, long" view of a longitudinal project with
repeating instruments:

==========================  ==================================================================
column                      meaning
==========================  ==================================================================
``record_id``               pseudonymous patient id
``redcap_event_name``       encounter id (empty for patient-level fields)
``event_date``              encounter date, ``YYYY-MM-DD``
``redcap_repeat_instrument`` instrument id for questionnaires (``odi``, ``nrs``...), else the
                            record kind (``pain_drawing``, ``exam``, ``imaging``...); empty
                            for patient and encounter fields
``redcap_repeat_instance``  1, 2, ... for repeats of that instrument within the encounter
``record_kind``             ``patient``, ``encounter`` or the record's ``kind``
``position``                the record's position within its encounter (0-based)
``field_name``              dotted path into the record, e.g. ``answers.3``,
                            ``marks.0.intensity``; derived values are ``score``,
                            ``score_max``, ``score_category``, ``subscales.<name>``...
``value``                   the value; strings as is, numbers and lists as JSON text
``value_source``            ``entered`` (stored data) or ``derived`` (computed on export)
==========================  ==================================================================

Missing (null) values are omitted. Rows follow patient id, encounter date, record
position and field order, so the same data always gives the same file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from painmap.record.models import InstrumentRecord, Patient

COLUMNS: tuple[str, ...] = (
    "record_id",
    "redcap_event_name",
    "event_date",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "record_kind",
    "position",
    "field_name",
    "value",
    "value_source",
)

Row = tuple[str, ...]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Flatten dicts and lists into dotted paths; coordinate lists (points) stay whole."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(_join(prefix, k), v)
    elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        yield prefix, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(_join(prefix, i), v)
    else:
        yield prefix, value


def _score_fields(record: InstrumentRecord) -> Iterator[tuple[str, Any]]:
    from painmap.store.columns import score_columns

    cols = score_columns(record)
    for name in ("score", "score_max", "score_category", "score_complete", "score_answered"):
        yield name, cols[name]
    for name, value in (cols["subscales"] or {}).items():
        yield f"subscales.{name}", value


def patient_rows(patient: Patient) -> Iterator[Row]:
    """The long-format rows of one patient, in a stable order."""
    pid = patient.id
    for name in ("birth_year", "sex", "pain_onset"):
        value = getattr(patient, name)
        if value is not None:
            text = value.isoformat() if name == "pain_onset" else str(value)
            yield (pid, "", "", "", "", "patient", "", name, text, "entered")
    for enc in patient.encounters:
        day = enc.date.isoformat()
        yield (pid, enc.id, day, "", "", "encounter", "", "encounter_date", day, "entered")
        instances: dict[str, int] = {}
        for pos, rec in enumerate(enc.records):
            instrument = rec.instrument if isinstance(rec, InstrumentRecord) else rec.kind
            instances[instrument] = instances.get(instrument, 0) + 1
            head = (pid, enc.id, day, instrument, str(instances[instrument]), rec.kind, str(pos))
            data = rec.model_dump(mode="json", exclude={"kind"})
            if isinstance(rec, InstrumentRecord):
                data.pop("instrument", None)
            for name, value in _flatten("", data):
                if value is not None:
                    yield (*head, name, _text(value), "entered")
            if isinstance(rec, InstrumentRecord):
                for name, value in _score_fields(rec):
                    if value is not None:
                        yield (*head, name, _text(value), "derived")


def write_csv(patients: Iterable[Patient], out: IO[str]) -> int:
    """Write the long-format CSV (header included); return the number of patients.

    Parameters
    ----------
    patients : iterable of Patient
        In the order wanted in the file (the store yields them by id).
    out : text file
        Opened with ``newline=""``.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for p in patients:
        writer.writerows(patient_rows(p))
        n += 1
    return n
