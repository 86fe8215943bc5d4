"""Self-reported pain for imaging sessions, taken from the painmap clinical record.

When research subjects are linked to painmap patients (a link table: participant,
session, patient id, scan date), the pain NRS and ODI of each imaging session come from
the patient's encounter closest to the scan date (within a window). Scoring is done by
the caller's scorer (the CLI passes :func:`painmap.instruments.score`), so this module
depends only on the record models. Pain stays self-report: it is read, never inferred.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from painmap.core.errors import ValidationFailure
from painmap.record import InstrumentRecord, Patient

#: ``scorer(instrument_id, answers) -> score or None``.
Scorer = Callable[[str, Any], float | None]

#: Instrument ids of the self-reported outcomes and the column they fill.
OUTCOMES = {"nrs": "pain_nrs", "odi": "odi"}


@dataclass(frozen=True)
class SessionLink:
    """One imaging session linked to a painmap patient.

    Attributes
    ----------
    participant_id : str
        BIDS participant (``sub-…``).
    session : str
        BIDS session label without ``ses-``.
    patient_id : str
        Pseudonymous painmap patient id.
    scan_date : datetime.date
        Date of the imaging session.
    """

    participant_id: str
    session: str
    patient_id: str
    scan_date: date


def pain_from_records(
    patients: Iterable[Patient],
    links: Iterable[SessionLink],
    scorer: Scorer,
    window_days: int = 14,
) -> list[dict[str, Any]]:
    """Pain NRS and ODI per linked imaging session.

    Parameters
    ----------
    patients : iterable of Patient
        Clinical records.
    links : iterable of SessionLink
        Imaging sessions and the patients they belong to.
    scorer : callable
        ``scorer(instrument_id, answers)`` returning the score (or ``None``).
    window_days : int, optional
        Largest distance between the scan and the encounter used.

    Returns
    -------
    list of dict
        ``{"participant_id", "session", "pain_nrs", "odi", "encounter_date"}``; a value is
        ``None`` when no encounter in the window has the instrument.

    Raises
    ------
    ValidationFailure
        If a link names an unknown patient or the window is negative.
    """
    if window_days < 0:
        raise ValidationFailure("window_days", "must be >= 0")
    by_id = {p.id: p for p in patients}
    rows = []
    for link in links:
        patient = by_id.get(link.patient_id)
        if patient is None:
            raise ValidationFailure(
                "links.patient_id", f"no patient {link.patient_id!r} in the record"
            )
        row: dict[str, Any] = {
            "participant_id": link.participant_id,
            "session": link.session,
            "pain_nrs": None,
            "odi": None,
            "encounter_date": None,
        }
        for instrument, column in OUTCOMES.items():
            best: tuple[int, date, float] | None = None
            for enc in patient.encounters:
                gap = abs((enc.date - link.scan_date).days)
                if gap > window_days:
                    continue
                for rec in enc.records:
                    if isinstance(rec, InstrumentRecord) and rec.instrument == instrument:
                        value = scorer(instrument, rec.answers)
                        if value is not None and (best is None or gap < best[0]):
                            best = (gap, enc.date, float(value))
            if best is not None:
                row[column] = best[2]
                if column == "pain_nrs" or row["encounter_date"] is None:
                    row["encounter_date"] = best[1].isoformat()
        rows.append(row)
    return rows


#: Columns of a session-link table (tab-separated, with a header row).
LINK_COLUMNS = ("participant_id", "session", "patient_id", "scan_date")


def read_links(path: str | os.PathLike[str]) -> list[SessionLink]:
    """Read a tab-separated session-link table.

    Parameters
    ----------
    path : path-like
        TSV with the header ``participant_id, session, patient_id, scan_date`` (other
        columns are ignored). ``session`` may carry the ``ses-`` prefix; ``scan_date`` is
        an ISO date (``YYYY-MM-DD``).

    Returns
    -------
    list of SessionLink
        One link per row, in file order.

    Raises
    ------
    ValidationFailure
        If the file is missing, a column is absent, a value is empty, a date is not ISO,
        or a participant session is linked twice; the message names the line and field.
    """
    file = Path(path)
    if not file.is_file():
        raise ValidationFailure("links", f"no such file: {file.name}")
    with file.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in LINK_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationFailure(
                "links", f"missing column(s) {', '.join(missing)}", list(LINK_COLUMNS)
            )
        links: list[SessionLink] = []
        seen: set[tuple[str, str]] = set()
        for line, row in enumerate(reader, start=2):
            values = {c: (row.get(c) or "").strip() for c in LINK_COLUMNS}
            for column, value in values.items():
                if not value:
                    raise ValidationFailure(f"links line {line}: {column}", "is empty")
            try:
                scan = date.fromisoformat(values["scan_date"])
            except ValueError:
                raise ValidationFailure(
                    f"links line {line}: scan_date",
                    f"{values['scan_date']!r} is not an ISO date (YYYY-MM-DD)",
                ) from None
            session = values["session"].removeprefix("ses-")
            key = (values["participant_id"], session)
            if key in seen:
                raise ValidationFailure(
                    f"links line {line}: session",
                    f"{key[0]} session {session} is linked more than once",
                )
            seen.add(key)
            links.append(SessionLink(key[0], session, values["patient_id"], scan))
    return links
