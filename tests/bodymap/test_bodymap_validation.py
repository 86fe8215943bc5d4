"""Invalid drawings are rejected with an error naming the mark or point."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from painmap.bodymap import Drawing, RegionMark, Stroke, validate_drawing
from painmap.core.errors import ValidationFailure
from painmap.record.models import Encounter, PainDrawingRecord, Patient


def test_unknown_region_names_the_mark() -> None:
    with pytest.raises(ValidationError) as exc:
        Drawing(marks=[RegionMark(id="b_heel_l", intensity=3),
                       RegionMark(id="b_heel_x", intensity=3)])
    text = str(exc.value)
    assert "marks[1].id" in text and "b_heel_x" in text
    assert "painmap bodymap regions" in text


def _raw(**kw: object) -> Drawing:
    """A drawing built without pydantic checks, to reach validate_drawing directly."""
    return Drawing.model_construct(**kw)  # type: ignore[arg-type]


def test_validate_drawing_intensity_out_of_range() -> None:
    d = _raw(marks=[RegionMark.model_construct(id="b_heel_l", intensity=11, qualities=[])],
             strokes=[])
    with pytest.raises(ValidationFailure) as exc:
        validate_drawing(d)
    assert exc.value.field == "marks[0].intensity"


def test_pydantic_rejects_intensity_out_of_range_on_construction() -> None:
    with pytest.raises(ValidationError, match="intensity"):
        Drawing(marks=[{"id": "b_heel_l", "intensity": -1}])  # type: ignore[list-item]


def test_unknown_quality() -> None:
    d = _raw(marks=[RegionMark.model_construct(id="b_heel_l", intensity=3,
                                               qualities=["tickly"])], strokes=[])
    with pytest.raises(ValidationFailure) as exc:
        validate_drawing(d)
    assert exc.value.field == "marks[0].qualities[0]"
    assert exc.value.allowed is not None and "burning" in exc.value.allowed
    with pytest.raises(ValidationError):
        Drawing(marks=[{"id": "b_heel_l", "intensity": 3, "qualities": ["tickly"]}])  # type: ignore[list-item]


def test_points_off_the_chart_name_the_point() -> None:
    with pytest.raises(ValidationError) as exc:
        Drawing(strokes=[Stroke(view="front", points=[(10, 10), (20, 20), (500, 20)],
                                width=8, intensity=4)])
    assert "strokes[0].points[2]" in str(exc.value)
    assert "off the front chart" in str(exc.value)


def test_duplicate_mark() -> None:
    with pytest.raises(ValidationError, match=r"marks\[1\].id"):
        Drawing(marks=[RegionMark(id="b_heel_l", intensity=3),
                       RegionMark(id="b_heel_l", intensity=5)])


def test_valid_drawing_passes() -> None:
    d = Drawing(marks=[RegionMark(id="b_heel_l", intensity=3, qualities=["burning"])],
                strokes=[Stroke(view="back", points=[(0, 0), (400, 1000)], width=5,
                                intensity=0)])
    validate_drawing(d)


def test_clinical_record_is_checked_on_construction() -> None:
    with pytest.raises(ValidationError, match="unknown region"):
        PainDrawingRecord(marks=[{"id": "nope", "intensity": 2}])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="unknown region"):
        Patient(id="p1", birth_year=1970, sex="female", encounters=[
            Encounter(id="e1", date=date(2026, 1, 5), records=[
                {"kind": "pain_drawing", "marks": [{"id": "nope", "intensity": 2}]}])])  # type: ignore[list-item]


def test_record_keeps_raw_strokes() -> None:
    rec = PainDrawingRecord(strokes=[Stroke(view="back", points=[(160, 500), (165, 700)],
                                            width=12, intensity=5, quality="shooting")])
    again = PainDrawingRecord.model_validate_json(rec.model_dump_json())
    assert again.strokes == rec.strokes and again.kind == "pain_drawing"
