"""Body-chart markup for the pages (from :mod:`painmap.bodymap`)."""

from __future__ import annotations

from functools import cache

from painmap.bodymap import Drawing, View


@cache
def chart_markup(view: str) -> str:
    """The interactive chart of one view as inline SVG (focusable, labelled regions)."""
    from painmap.bodymap import chart_svg

    return str(chart_svg(View(view), interactive=True))


def drawing_markup(drawing: Drawing) -> str:
    """A drawing rendered on both views as static SVG (for small multiples)."""
    from painmap.bodymap import render_svg

    return str(render_svg(drawing))
