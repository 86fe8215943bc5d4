"""Chart-aware validation of drawings (known regions, vocabulary, points on the chart)."""

from __future__ import annotations

import math

from painmap.bodymap.drawing import Drawing, Quality, View
from painmap.bodymap.regions import CHART, REGION_INDEX
from painmap.core.errors import ValidationFailure

_QUALITIES = frozenset(q.value for q in Quality)
_NUMBER = (int, float)
_HINT = "list the ids with `painmap bodymap regions`"


def _check_intensity(field: str, value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value) \
            or not 0 <= value <= 10:
        raise ValidationFailure(field, f"intensity {value!r} is outside 0-10",
                                ["a number from 0 to 10"])


def _check_quality(field: str, value: object) -> None:
    if str(value) not in _QUALITIES:
        raise ValidationFailure(field, f"unknown quality {value!r}", sorted(_QUALITIES))


def validate_drawing(drawing: Drawing) -> None:
    """Check a drawing against the chart; raise on the first problem.

    A drawing is invalid when a mark names an unknown region or the same region twice,
    an intensity is outside 0-10, a quality is not in the fixed vocabulary, or a stroke
    point lies off its view's canonical coordinate space.

    Parameters
    ----------
    drawing : Drawing
        The drawing (or a ``PainDrawingRecord``).

    Raises
    ------
    ValidationFailure
        Naming the offending mark or point, e.g. ``marks[2].id``.
    """
    seen: dict[str, int] = {}
    for i, mark in enumerate(drawing.marks):
        if mark.id not in REGION_INDEX:
            raise ValidationFailure(f"marks[{i}].id", f"unknown region {mark.id!r}; {_HINT}")
        if mark.id in seen:
            raise ValidationFailure(
                f"marks[{i}].id", f"region {mark.id!r} is already marked by marks[{seen[mark.id]}]"
            )
        seen[mark.id] = i
        value = mark.intensity
        if type(value) not in _NUMBER or not 0 <= value <= 10:  # NaN fails the range
            _check_intensity(f"marks[{i}].intensity", value)
        for j, q in enumerate(mark.qualities):
            if q not in _QUALITIES:
                _check_quality(f"marks[{i}].qualities[{j}]", q)
    for i, stroke in enumerate(drawing.strokes):
        try:
            geo = CHART.views[View(stroke.view)]
        except ValueError:
            raise ValidationFailure(f"strokes[{i}].view", f"unknown view {stroke.view!r}",
                                    [v.value for v in View]) from None
        value = stroke.intensity
        if type(value) not in _NUMBER or not 0 <= value <= 10:
            _check_intensity(f"strokes[{i}].intensity", value)
        if stroke.quality is not None:
            _check_quality(f"strokes[{i}].quality", stroke.quality)
        if _points_inside(stroke.points, geo.width, geo.height):
            continue
        for j, (x, y) in enumerate(stroke.points):
            if not (0 <= x <= geo.width and 0 <= y <= geo.height):
                raise ValidationFailure(
                    f"strokes[{i}].points[{j}]",
                    f"point ({x:g}, {y:g}) is off the {stroke.view} chart",
                    [f"0 <= x <= {geo.width:g}", f"0 <= y <= {geo.height:g}"],
                )


def _points_inside(points: list[tuple[float, float]], width: float, height: float) -> bool:
    """Whether every point is finite and inside ``[0, width] x [0, height]`` (fast check).

    A finite sum rules out NaN and infinities, then the extremes decide; when this
    returns False the caller walks the points to name the first one off the chart.
    """
    if not points:
        return True
    xs, ys = zip(*points, strict=True)
    return (
        math.isfinite(sum(xs))
        and math.isfinite(sum(ys))
        and min(xs) >= 0
        and max(xs) <= width
        and min(ys) >= 0
        and max(ys) <= height
    )
