"""Everything the clinician's patient page shows, computed from one chart read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from painmap.record.models import (
    BlockRecord,
    ElectrodiagnosticRecord,
    ExamRecord,
    ImagingRecord,
    PainDrawingRecord,
    TreatmentRecord,
)
from painmap.store import PatientChart
from painmap.web.views.charts import body_defs, drawing_markup, region_labels
from painmap.web.views.trend import Marker, Point, trend_svg

#: Pain drawings shown on the page (the most recent ones).
SHOWN_DRAWINGS = 6


@dataclass
class Visit:
    """One visit with a pain drawing, and its change from the previous drawing."""

    date: date
    encounter_id: str
    svg: str
    marks: int
    strokes: int
    max_intensity: float
    change: list[str] = field(default_factory=list)


def _drawing_change(prev: PainDrawingRecord | None, cur: PainDrawingRecord) -> list[str]:
    """Readable differences between two drawings (regions added/removed, intensity)."""
    if prev is None:
        return ["first drawing"]
    labels = region_labels()
    before = {m.id: m.intensity for m in prev.marks}
    after = {m.id: m.intensity for m in cur.marks}

    def names(ids: list[str]) -> str:
        return ", ".join(labels.get(i, i) for i in ids)

    out = []
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    if added:
        out.append(f"new: {names(added)}")
    if removed:
        out.append(f"gone: {names(removed)}")
    worse = [k for k in after if k in before and after[k] > before[k]]
    better = [k for k in after if k in before and after[k] < before[k]]
    if worse:
        out.append(f"stronger: {names(worse)}")
    if better:
        out.append(f"weaker: {names(better)}")
    strokes = len(cur.strokes) - len(prev.strokes)
    if strokes:
        out.append(f"{strokes:+d} drawn areas")
    return out or ["no change in marked regions"]


def build_view(chart: PatientChart, *, today: date) -> dict[str, Any]:
    """The context of the clinician's patient page.

    Parameters
    ----------
    chart : PatientChart
        The whole patient with stored scores (one audited read).
    today : datetime.date
        Date for age, pain duration and the ranking.

    Returns
    -------
    dict
        Header facts, trend SVG, the last :data:`SHOWN_DRAWINGS` visits with drawings,
        findings lists and the ranking.
    """
    patient = chart.patient
    nrs: list[Point] = []
    odi: list[Point] = []
    for entry in chart.entries:
        if entry.score is None or entry.score.score is None:
            continue
        if entry.score.instrument == "nrs":
            nrs.append(Point(entry.date, entry.score.score))
        elif entry.score.instrument == "odi":
            odi.append(Point(entry.date, entry.score.score))
    treatments: list[tuple[date, TreatmentRecord]] = []
    exams: list[tuple[date, ExamRecord]] = []
    imaging: list[tuple[date, ImagingRecord]] = []
    electro: list[tuple[date, ElectrodiagnosticRecord]] = []
    blocks: list[tuple[date, BlockRecord]] = []
    visits: list[Visit] = []
    drawings: list[tuple[date, str, PainDrawingRecord | None, PainDrawingRecord]] = []
    prev: PainDrawingRecord | None = None
    for enc in patient.encounters:
        for rec in enc.records:
            if isinstance(rec, TreatmentRecord):
                treatments.append((enc.date, rec))
            elif isinstance(rec, ExamRecord):
                exams.append((enc.date, rec))
            elif isinstance(rec, ImagingRecord):
                imaging.append((enc.date, rec))
            elif isinstance(rec, ElectrodiagnosticRecord):
                electro.append((enc.date, rec))
            elif isinstance(rec, BlockRecord):
                blocks.append((enc.date, rec))
            elif isinstance(rec, PainDrawingRecord):
                drawings.append((enc.date, enc.id, prev, rec))
                prev = rec
    # the page shows the last few drawings: draw only those
    for on, encounter_id, before, rec in drawings[-SHOWN_DRAWINGS:]:
        intensities = [m.intensity for m in rec.marks] + [s.intensity for s in rec.strokes]
        visits.append(
            Visit(
                date=on,
                encounter_id=encounter_id,
                svg=drawing_markup(rec, shared_body=True),
                marks=len(rec.marks),
                strokes=len(rec.strokes),
                max_intensity=max(intensities, default=0.0),
                change=_drawing_change(before, rec),
            )
        )
    markers = [Marker(t.start, t.type.value.replace("_", " ")) for _, t in treatments]
    trend = trend_svg([("Pain NRS (0-10)", 10.0, nrs), ("ODI (0-100 %)", 100.0, odi)], markers)
    from painmap.web.views.ranking import ranking_view

    return {
        "patient": patient,
        "age": patient.age_on(today),
        "duration": patient.pain_duration_months(today),
        "chronic": patient.is_chronic(today),
        "trend": trend,
        "nrs_last": nrs[-1] if nrs else None,
        "odi_last": odi[-1] if odi else None,
        "visits": visits,
        "body_defs": body_defs(),
        "treatments": treatments,
        "exams": exams,
        "imaging": imaging,
        "electro": electro,
        "blocks": blocks,
        "ranking": ranking_view(patient, today=today),
    }


def ranking_json(patient: Any, *, today: date) -> dict[str, Any]:
    """The ranking as JSON for the API."""
    from painmap.web.views.ranking import ranking_view

    view = ranking_view(patient, today=today, with_interval=True)
    return {k: v for k, v in view.items() if k != "spine_svg"}
