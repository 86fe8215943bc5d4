"""Pain drawings: region marks and freehand strokes, as patients make them.

These are the shapes stored in the clinical record (``kind = "pain_drawing"``). The
models check what can be checked without the chart (ranges, vocabulary); checks
against the chart geometry (known region ids, points on the chart) are done by
:func:`painmap.bodymap.validate_drawing`, which every ``Drawing`` (and so every stored
``PainDrawingRecord``) runs when it is built.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Quality(StrEnum):
    """The fixed vocabulary of pain qualities a mark or stroke may carry."""

    ACHING = "aching"
    BURNING = "burning"
    STABBING = "stabbing"
    SHOOTING = "shooting"
    ELECTRIC = "electric"
    PINS_AND_NEEDLES = "pins_and_needles"
    NUMBNESS = "numbness"
    CRAMPING = "cramping"
    THROBBING = "throbbing"
    DEEP = "deep"
    SUPERFICIAL = "superficial"


class View(StrEnum):
    """A view of the body chart."""

    FRONT = "front"
    BACK = "back"


Intensity = Annotated[float, Field(ge=0, le=10)]


class RegionMark(BaseModel):
    """A region the patient marked as painful, with intensity 0-10 and qualities."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    intensity: Intensity
    qualities: list[Quality] = Field(default_factory=list)


class Stroke(BaseModel):
    """A freehand stroke in chart coordinates of one view."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    view: View
    points: list[tuple[float, float]] = Field(min_length=1)
    width: float = Field(gt=0, le=200)
    intensity: Intensity
    quality: Quality | None = None


class Drawing(BaseModel):
    """A whole pain drawing: region marks plus freehand strokes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    marks: list[RegionMark] = Field(default_factory=list)
    strokes: list[Stroke] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_against_chart(self) -> Drawing:
        from painmap.bodymap.validate import validate_drawing

        validate_drawing(self)
        return self
