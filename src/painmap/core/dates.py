"""Date arithmetic for derived clinical facts (pain duration, chronicity)."""

from __future__ import annotations

import calendar
from datetime import date

#: IASP / ICD-11: chronic pain persists or recurs for longer than 3 months.
CHRONIC_THRESHOLD_MONTHS = 3


def months_between(start: date, end: date) -> float:
    """Return the number of months from ``start`` to ``end`` (30.4375-day months).

    Parameters
    ----------
    start, end : datetime.date
        Interval bounds. ``end`` may precede ``start``; the result is then negative.

    Returns
    -------
    float
        Months, using the mean Gregorian month of 365.25 / 12 days.
    """
    return (end - start).days / (365.25 / 12)


def is_chronic(onset: date, on: date) -> bool:
    """Whether pain with the given onset is chronic (> 3 months) on date ``on``.

    Parameters
    ----------
    onset : datetime.date
        Onset of back pain.
    on : datetime.date
        Date at which chronicity is judged.

    Returns
    -------
    bool
        True when more than three calendar months separate ``onset`` and ``on``.
    """
    y, m = onset.year, onset.month + CHRONIC_THRESHOLD_MONTHS
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    # clamp the day to the target month's length
    d = min(onset.day, calendar.monthrange(y, m)[1])
    return on > date(y, m, d)
