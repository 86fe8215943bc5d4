"""Body-chart SVG for the pages, drawn from the chart geometry of :mod:`painmap.bodymap`.

- :func:`chart_markup`: one view, every region a focusable ``<path>`` with
  ``data-region``, ``tabindex``, ``role="button"`` and a ``<title>`` (the region label),
  for the patient's drawing page.
- :func:`drawing_markup`: a drawing on both views side by side (marked regions filled
  by intensity, freehand strokes on top), for the clinician's small multiples. With
  ``shared_body=True`` the body outlines are referenced (``<use>``) from
  :func:`body_defs`, which the page then holds once, instead of repeated per drawing.
"""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape, quoteattr

from painmap.bodymap import CHART, Drawing, View, regions
from painmap.web.views.svg import intensity_colour

BODY_FILL = "#f3ece4"
BODY_LINE = "#8a7f75"


def _path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{head[0]:g},{head[1]:g} " + " ".join(f"{x:g},{y:g}" for x, y in rest) + "Z"


@cache
def _region_paths(view: View) -> dict[str, str]:
    return {rid: _path(poly) for rid, poly in CHART.views[view].regions.items()}


@cache
def _body_group(view: View) -> str:
    """The filled body outline of one view (static, cached)."""
    paths = "".join(f'<path d="{_path(poly)}"/>' for poly in CHART.views[view].outlines)
    return f'<g fill="{BODY_FILL}" stroke="{BODY_LINE}" stroke-width="1">{paths}</g>'


def _body_id(view: View) -> str:
    return f"pm-body-{view.value}"


@cache
def body_defs() -> str:
    """A hidden ``<svg>`` defining the body outline of each view once per page.

    Returns
    -------
    str
        Markup whose ``<g id="pm-body-front">`` and ``<g id="pm-body-back">`` the drawings
        made with ``drawing_markup(..., shared_body=True)`` refer to.
    """
    groups = "".join(
        _body_group(v).replace("<g ", f'<g id="{_body_id(v)}" ', 1) for v in (View.FRONT, View.BACK)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="svg-defs" width="0" height="0" '
        f'aria-hidden="true" focusable="false"><defs>{groups}</defs></svg>'
    )


@cache
def region_labels() -> dict[str, str]:
    """Region id -> readable label."""
    return {r.id: r.label for r in regions()}


@cache
def chart_markup(view: str) -> str:
    """The interactive chart of one view as inline SVG (focusable, labelled regions).

    Parameters
    ----------
    view : str
        ``"front"`` or ``"back"``.

    Returns
    -------
    str
        An ``<svg>`` in chart coordinates (its ``viewBox`` is the chart space).
    """
    geo = CHART.views[View(view)]
    labels = region_labels()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {geo.width:g} {geo.height:g}" '
        f'role="group" aria-label={quoteattr(f"Body chart, {view} view")} data-chart="{view}">',
        f'<g class="regions" fill="{BODY_FILL}" stroke="{BODY_LINE}" stroke-width="0.6">',
    ]
    for rid, poly in geo.regions.items():
        label = labels.get(rid, rid)
        out.append(
            f'<path data-region="{escape(rid)}" tabindex="0" role="button" aria-pressed="false" '
            f'aria-label={quoteattr(label)} d="{_path(poly)}"><title>{escape(label)}</title></path>'
        )
    out.append("</g>")
    out.append('<g class="outline" fill="none" stroke="#6b5f55" stroke-width="1.2" '
               'pointer-events="none">')
    for poly in geo.outlines:
        out.append(f'<path d="{_path(poly)}"/>')
    out.append("</g>")
    side_left, side_right = ("R", "L") if view == "front" else ("L", "R")
    out.append(f'<text x="12" y="40" font-size="28" fill="#8a7f75">{side_left}</text>')
    out.append(
        f'<text x="{geo.width - 12:g}" y="40" font-size="28" fill="#8a7f75" '
        f'text-anchor="end">{side_right}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def drawing_markup(drawing: Drawing, *, shared_body: bool = False) -> str:
    """A drawing on the front and back views side by side, as static SVG.

    Parameters
    ----------
    drawing : Drawing
        Region marks (filled by intensity) and freehand strokes (drawn on top).
    shared_body : bool, optional
        Refer to the body outlines of :func:`body_defs` (which the page must hold)
        instead of drawing them into this SVG.

    Returns
    -------
    str
        An ``<svg>`` with a ``<title>`` summarising the drawing.
    """
    marks = {m.id: m.intensity for m in drawing.marks}
    labels = region_labels()
    views = (View.FRONT, View.BACK)
    width = sum(CHART.views[v].width for v in views)
    height = max(CHART.views[v].height for v in views)
    summary = ", ".join(f"{labels.get(k, k)} {v:g}/10" for k, v in marks.items()) or "no regions"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height + 40:g}" '
        f'role="img" aria-label={quoteattr("Pain drawing: " + summary)}>',
        f"<title>{escape('Pain drawing: ' + summary)}</title>",
    ]
    x0 = 0.0
    for v in views:
        geo = CHART.views[v]
        out.append(f'<g transform="translate({x0:g},0)">')
        out.append(f'<use href="#{_body_id(v)}"/>' if shared_body else _body_group(v))
        out.append('<g stroke="#7a2e12" stroke-width="0.5">')
        paths = _region_paths(v)
        for rid, value in marks.items():
            if rid in paths:
                out.append(f'<path fill="{intensity_colour(value)}" d="{paths[rid]}"/>')
        out.append("</g>")
        for s in drawing.strokes:
            if s.view != v:
                continue
            pts = " ".join(f"{x:g},{y:g}" for x, y in s.points)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{intensity_colour(s.intensity)}" '
                f'stroke-width="{s.width:g}" stroke-linecap="round" stroke-linejoin="round" '
                'stroke-opacity="0.8"/>'
            )
        out.append(
            f'<text x="{geo.width / 2:g}" y="{height + 30:g}" font-size="30" '
            f'text-anchor="middle" fill="#5d6b7a">{v.value}</text>'
        )
        out.append("</g>")
        x0 += geo.width
    out.append("</svg>")
    return "".join(out)
