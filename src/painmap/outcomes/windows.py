"""Follow-up windows: which visit counts as the 1-, 3-, 6- and 12-month outcome.

Times are days from the treatment start. For each target month the outcome is the score
of the visit nearest to the target day inside the window (ties go to the earlier
visit); a window with no visit gives no outcome (missing, never imputed). The baseline
is the latest score on or before the start day, at most ``BASELINE_LOOKBACK_DAYS``
earlier. The windows do not overlap, so one visit serves at most one time point.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """One follow-up time point.

    Attributes
    ----------
    month : int
        Nominal month after the treatment start.
    target_day : int
        Day after the start the visit should fall on (month x 30.4375, rounded).
    first_day, last_day : int
        Inclusive window bounds, in days after the start.
    """

    month: int
    target_day: int
    first_day: int
    last_day: int


#: The four outcome time points and their windows (days after the treatment start).
WINDOWS: tuple[Window, ...] = (
    Window(1, 30, 14, 45),
    Window(3, 91, 61, 135),
    Window(6, 183, 136, 270),
    Window(12, 365, 271, 456),
)

#: A baseline score must lie within this many days before the treatment start.
BASELINE_LOOKBACK_DAYS = 90

#: Outcome instruments, in display order.
OUTCOME_INSTRUMENTS: tuple[str, ...] = ("nrs", "odi", "rmdq", "promis_pi_4a")

#: Baseline covariates of the cohort models (scored at the pre-treatment baseline).
COVARIATE_INSTRUMENTS: tuple[str, ...] = ("startback", "paindetect", "csi")
