"""Server-side SVG trend plots of NRS and ODI with treatments marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painmap.web.views.svg import el


@dataclass(frozen=True)
class Point:
    """One score at one date."""

    on: date
    value: float


@dataclass(frozen=True)
class Marker:
    """A treatment start shown as a vertical line."""

    on: date
    label: str


def trend_svg(
    series: list[tuple[str, float, list[Point]]],
    markers: list[Marker],
    *,
    width: int = 640,
    panel_height: int = 120,
) -> str:
    """Stacked line plots sharing a date axis, with treatment lines across all panels.

    Parameters
    ----------
    series : list of (title, maximum, points)
        One panel per series; the y axis runs from 0 to ``maximum``.
    markers : list of Marker
        Treatments, drawn as dashed vertical lines labelled at the top.
    width, panel_height : int
        Size in SVG units (the SVG scales to its container).

    Returns
    -------
    str
        An ``<svg>`` element with a ``<title>`` and a text description for screen readers.
    """
    dates = [p.on for _, _, pts in series for p in pts] + [m.on for m in markers]
    left, right, top, gap = 44, 16, 26, 28
    height = top + len(series) * (panel_height + gap)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="trend" role="img" aria-labelledby="trend-title">',
        el("title", "Scores over time with treatments marked", id="trend-title"),
    ]
    if not dates:
        out.append(el("text", "No scores yet", x=width / 2, y=height / 2, text_anchor="middle",
                      class_="muted-text"))
        out.append("</svg>")
        return "".join(out)
    d0, d1 = min(dates), max(dates)
    span = max((d1 - d0).days, 1)

    def x_of(on: date) -> float:
        return left + (width - left - right) * (on - d0).days / span

    for i, (title, maximum, pts) in enumerate(series):
        y0 = top + i * (panel_height + gap)
        out.append(el("text", title, x=left, y=y0 - 8, class_="panel-title"))
        out.append(el("rect", x=left, y=y0, width=width - left - right, height=panel_height,
                      class_="panel"))
        for frac in (0.0, 0.5, 1.0):
            yy = y0 + panel_height * (1 - frac)
            out.append(el("line", x1=left, x2=width - right, y1=yy, y2=yy, class_="grid"))
            out.append(el("text", f"{maximum * frac:g}", x=left - 6, y=yy + 4,
                          text_anchor="end", class_="tick"))

        def y_of(v: float, y0: float = y0, maximum: float = maximum) -> float:
            return y0 + panel_height * (1 - min(max(v, 0.0), maximum) / maximum)

        pts = sorted(pts, key=lambda p: p.on)
        if len(pts) > 1:
            path = " ".join(f"{x_of(p.on):.1f},{y_of(p.value):.1f}" for p in pts)
            out.append(el("polyline", points=path, class_=f"series s{i}"))
        for p in pts:
            out.append(
                f'<circle cx="{x_of(p.on):.1f}" cy="{y_of(p.value):.1f}" r="4" '
                f'class="dot s{i}"><title>{title} {p.value:g} on {p.on.isoformat()}'
                "</title></circle>"
            )
    bottom = top + len(series) * (panel_height + gap) - gap
    for m in markers:
        xx = x_of(m.on)
        out.append(el("line", x1=xx, x2=xx, y1=top - 4, y2=bottom, class_="treatment"))
        out.append(el("text", m.label, x=xx + 3, y=top + 8, class_="treatment-label"))
    out.append(el("text", d0.isoformat(), x=left, y=height - 6, class_="tick"))
    out.append(el("text", d1.isoformat(), x=width - right, y=height - 6, text_anchor="end",
                  class_="tick"))
    out.append("</svg>")
    return "".join(out)
