"""One patient's outcomes: episodes, change from baseline, responder classes, durability."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from pydantic import BaseModel, ConfigDict

from painmap.outcomes.durability import durability_table
from painmap.outcomes.episodes import TreatmentEpisode, treatment_episodes
from painmap.outcomes.frames import frames_from_patients
from painmap.outcomes.timeline import outcome_table
from painmap.record.models import Patient

_CFG = ConfigDict(extra="forbid", frozen=True)


class TimePoint(BaseModel):
    """The outcome of one instrument at one follow-up time point."""

    model_config = _CFG

    month: int
    followup: float | None
    followup_date: date | None
    days: int | None
    change: float | None
    improvement_percent: float | None
    responder_level: str | None
    meaningful: bool | None


class InstrumentOutcome(BaseModel):
    """Baseline and follow-ups of one instrument for one episode."""

    model_config = _CFG

    instrument: str
    baseline: float | None
    baseline_date: date | None
    time_points: list[TimePoint]


class EpisodeOutcome(BaseModel):
    """One treatment episode with its outcomes and durability."""

    model_config = _CFG

    episode: TreatmentEpisode
    outcomes: list[InstrumentOutcome]
    responded: bool | None
    response_lost_day: float | None
    response_censored_day: float | None

    def durability_text(self) -> str:
        """How long the pain response lasted, in one phrase (CLI, report, web)."""
        if self.responded is None:
            return "response not assessable (no 1- or 3-month pain score)"
        if not self.responded:
            return "no meaningful pain response at the first follow-up"
        if self.response_lost_day is not None:
            return f"pain response lost by day {self.response_lost_day:.0f}"
        return f"pain response ongoing (last seen day {self.response_censored_day:.0f})"


class PatientOutcomes(BaseModel):
    """Everything ``painmap outcomes patient`` shows (``--json`` prints this model)."""

    model_config = _CFG

    patient_id: str
    episodes: list[EpisodeOutcome]
    note: str = (
        "Follow-up windows (days after the start): 1 month 14-45, 3 months 61-135, "
        "6 months 136-270, 12 months 271-456; nearest visit to 30/91/183/365 days. "
        "Baseline: latest score on or before the start, at most 90 days earlier. "
        "Responder classes: NRS IMMPACT (substantial >= 50 %; moderate >= 30 % or >= 2 "
        "points; minimal >= 10 %), ODI >= 10 points or >= 30 %, RMDQ >= 5 points or >= 30 %."
    )


def _f(x: object) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    return float(x)  # type: ignore[arg-type]


def _d(x: object) -> date | None:
    if x is None or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return None
    out: date = pd.Timestamp(x).date()  # type: ignore[arg-type]
    return out


def patient_outcomes(patient: Patient, *, rank: bool = True) -> PatientOutcomes:
    """Outcomes of every treatment episode of one patient.

    Parameters
    ----------
    patient : Patient
        The patient with encounters and records.
    rank : bool, optional
        Rank the generators at each start to fill ``matched_top`` (default True).

    Returns
    -------
    PatientOutcomes
    """
    frames = frames_from_patients([patient])
    table = outcome_table(frames)
    dur = durability_table(table).set_index("episode") if len(table) else pd.DataFrame()
    episodes = treatment_episodes([patient], rank=rank)
    out = []
    for ep in episodes:
        rows = table[table["episode"] == ep.episode]
        insts = []
        for inst, g in rows.groupby("instrument", sort=False):
            g = g.sort_values("month")
            first = g.iloc[0]
            tps = [TimePoint(
                month=int(r["month"]), followup=_f(r["followup"]),
                followup_date=_d(r["followup_date"]),
                days=None if _f(r["days"]) is None else int(r["days"]),
                change=_f(r["change"]), improvement_percent=_f(r["improvement_percent"]),
                responder_level=r["responder_level"],
                meaningful=None if r["meaningful"] is None else bool(r["meaningful"]),
            ) for _, r in g.iterrows()]
            insts.append(InstrumentOutcome(instrument=str(inst), baseline=_f(first["baseline"]),
                                           baseline_date=_d(first["baseline_date"]),
                                           time_points=tps))
        responded = lost = censored = None
        if ep.episode in dur.index:
            d = dur.loc[ep.episode]
            responded = None if pd.isna(d["responded"]) else bool(d["responded"])
            if _f(d["lost"]) == 1.0:
                lost = _f(d["duration_days"])
            elif _f(d["lost"]) == 0.0:
                censored = _f(d["duration_days"])
        out.append(EpisodeOutcome(episode=ep, outcomes=insts, responded=responded,
                                  response_lost_day=lost, response_censored_day=censored))
    return PatientOutcomes(patient_id=patient.id, episodes=out)
