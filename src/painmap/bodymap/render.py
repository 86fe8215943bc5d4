"""Render the chart and drawings: accessible SVG (no dependencies) and PNG (matplotlib)."""

from __future__ import annotations

import io
import itertools
from xml.sax.saxutils import escape, quoteattr

from painmap.bodymap.drawing import Drawing, View
from painmap.bodymap.metrics import compute_metrics
from painmap.bodymap.regions import CHART, regions
from painmap.bodymap.state import region_state

#: Colour ramp for intensity 0-10 (pale yellow -> orange -> deep red), colour-blind safe
#: in lightness order.
_RAMP = ((0.0, (255, 247, 188)), (0.3, (254, 196, 79)), (0.6, (236, 112, 20)),
         (0.8, (204, 76, 2)), (1.0, (140, 30, 10)))
SKIN = "#f4ede6"
EDGE = "#9a8f85"
OUTLINE = "#3d3833"
VIEW_GAP = 20.0


def intensity_colour(value: float) -> str:
    """Hex colour of an intensity 0-10 on the painmap ramp."""
    t = min(max(value / 10.0, 0.0), 1.0)
    for (t0, c0), (t1, c1) in itertools.pairwise(_RAMP):
        if t <= t1:
            f = (t - t0) / (t1 - t0) if t1 > t0 else 0.0
            rgb = [round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_RAMP[-1][1])


def _d(poly: list[tuple[float, float]]) -> str:
    return "M" + " ".join(f"{x:g},{y:g}" for x, y in poly) + "Z"


def _pts(poly: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in poly)


def _side_letters(view: View) -> tuple[str, str]:
    return ("R", "L") if view == View.FRONT else ("L", "R")


def chart_svg(view: View | str, *, interactive: bool = True) -> str:
    """The chart of one view as inline SVG markup.

    Parameters
    ----------
    view : View or str
        ``front`` or ``back``.
    interactive : bool
        When true every region is a focusable control: ``id`` and ``data-region`` hold
        the region id, with ``tabindex="0"``, ``role="button"``, ``aria-pressed="false"``
        and ``aria-label``; every region carries a ``<title>`` with its label either way.

    Returns
    -------
    str
        An ``<svg>`` element (no XML declaration), ``viewBox`` in chart coordinates.
    """
    v = View(view)
    geo = CHART.views[v]
    labels = {r.id: r.label for r in regions()}
    w, h = geo.width, geo.height
    left, right = _side_letters(v)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" '
        f'class="painmap-chart painmap-chart-{v.value}" data-view="{v.value}" '
        f'role="group" aria-label="Body chart, {v.value} view">',
        f"<title>Body chart, {v.value} view (patient's {'right' if left == 'R' else 'left'} "
        "on the viewer's left)</title>",
        f'<g class="regions" fill="{SKIN}" stroke="{EDGE}" stroke-width="0.6">',
    ]
    for rid, poly in geo.regions.items():
        label = labels[rid]
        attrs = f'id="{rid}" data-region="{rid}" class="region"'
        if interactive:
            attrs += (' tabindex="0" role="button" aria-pressed="false" '
                      f"aria-label={quoteattr(label)}")
        out.append(f'<path {attrs} d="{_d(poly)}"><title>{escape(label)}</title></path>')
    out.append(f'</g><g class="outline" fill="none" stroke="{OUTLINE}" stroke-width="1.4" '
               'pointer-events="none" aria-hidden="true">')
    out += [f'<polyline points="{_pts(p)}"/>' for p in geo.contours]
    out.append(
        f'</g><g font-family="sans-serif" font-size="22" fill="{OUTLINE}" aria-hidden="true">'
        f'<text x="24" y="40">{left}</text><text x="{w - 40:g}" y="40">{right}</text>'
        f'<text x="{w / 2:g}" y="{h - 2:g}" font-size="16" text-anchor="middle">'
        f"{v.value.upper()}</text></g></svg>"
    )
    return "\n".join(out)


def render_svg(drawing: Drawing, *, title: str = "Pain drawing") -> str:
    """Render a drawing (front and back side by side) as a standalone, accessible SVG.

    Each painful region is filled with its intensity colour and carries a ``<title>``
    naming the region, its intensity and qualities; freehand strokes are drawn on top,
    clipped to the body. A ``<desc>`` summarises the metrics.

    Parameters
    ----------
    drawing : Drawing
        The drawing.
    title : str, optional
        Document title.

    Returns
    -------
    str
        SVG document text.
    """
    st = region_state(drawing)
    m = compute_metrics(drawing)
    regs = regions()
    idx = {r.id: i for i, r in enumerate(regs)}
    marked = {mk.id for mk in drawing.marks if mk.intensity > 0}
    w = CHART.views[View.FRONT].width
    h = CHART.views[View.FRONT].height
    total_w = 2 * w + VIEW_GAP
    desc = (f"Painful regions: {m.region_count}; extent {m.extent_fraction * 100:.1f}% of the "
            f"body; highest intensity {m.max_intensity:g}/10; WPI {m.wpi}/19; "
            f"Quebec class {m.quebec if m.quebec is not None else 'n/a'}; "
            f"laterality {m.laterality}.")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:g} {h + 60:g}" '
        f'width="{total_w:g}" height="{h + 60:g}" role="img" aria-labelledby="t d">',
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>',
        "<defs>",
    ]
    for k, v in enumerate((View.FRONT, View.BACK)):
        out.append(f'<clipPath id="body-{v.value}">')
        out += [f'<path d="{_d(p)}"/>' for p in CHART.views[v].outlines]
        out.append("</clipPath>")
        del k
    out.append("</defs>")
    for k, v in enumerate((View.FRONT, View.BACK)):
        geo = CHART.views[v]
        dx = k * (w + VIEW_GAP)
        out.append(f'<g transform="translate({dx:g},0)" class="view-{v.value}">')
        out.append(f'<g class="regions" stroke="{EDGE}" stroke-width="0.5">')
        for rid, poly in geo.regions.items():
            i = idx[rid]
            label = regs[i].label
            fill = SKIN
            if st.coverage[i] > 0:
                label += f": intensity {st.intensity[i]:g}/10"
                qs = sorted(q.value for q in st.qualities.get(i, frozenset()))
                if qs:
                    label += " (" + ", ".join(q.replace("_", " ") for q in qs) + ")"
                if rid not in marked:
                    label += f", {st.coverage[i] * 100:.0f}% drawn"
            if rid in marked:
                fill = intensity_colour(st.intensity[i])
            out.append(f'<path data-region="{rid}" fill="{fill}" d="{_d(poly)}">'
                       f"<title>{escape(label)}</title></path>")
        out.append(f'</g><g clip-path="url(#body-{v.value})" fill="none" '
                   'stroke-linecap="round" stroke-linejoin="round" opacity="0.85">')
        for s in drawing.strokes:
            if View(s.view) != v:
                continue
            pts = " ".join(f"{x:g},{y:g}" for x, y in s.points)
            col = intensity_colour(s.intensity)
            if len(s.points) == 1:
                x, y = s.points[0]
                out.append(f'<circle cx="{x:g}" cy="{y:g}" r="{s.width / 2:g}" fill="{col}"/>')
            else:
                out.append(f'<polyline points="{pts}" stroke="{col}" '
                           f'stroke-width="{s.width:g}"/>')
        out.append(f'</g><g fill="none" stroke="{OUTLINE}" stroke-width="1.4">')
        out += [f'<polyline points="{_pts(p)}"/>' for p in geo.contours]
        left, right = _side_letters(v)
        out.append(
            f'</g><g font-family="sans-serif" fill="{OUTLINE}" font-size="22">'
            f'<text x="24" y="40">{left}</text><text x="{w - 40:g}" y="40">{right}</text>'
            f'<text x="{w / 2:g}" y="{h + 8:g}" font-size="18" text-anchor="middle">'
            f"{v.value.upper()}</text></g></g>"
        )
    # legend
    out.append(f'<g font-family="sans-serif" font-size="14" fill="{OUTLINE}">')
    lx = total_w / 2 - 160
    for j in range(11):
        out.append(f'<rect x="{lx + j * 26:g}" y="{h + 24:g}" width="26" height="14" '
                   f'fill="{intensity_colour(j)}"/>')
        out.append(f'<text x="{lx + j * 26 + 13:g}" y="{h + 54:g}" text-anchor="middle">'
                   f"{j}</text>")
    out.append(f'<text x="{lx - 8:g}" y="{h + 36:g}" text-anchor="end">intensity</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(drawing: Drawing, *, title: str | None = None, dpi: int = 110) -> bytes:
    """Render a drawing as PNG bytes with matplotlib (Agg; no network, no cairo).

    Parameters
    ----------
    drawing : Drawing
        The drawing.
    title : str, optional
        Figure title; defaults to a one-line metrics summary.
    dpi : int, optional
        Resolution.

    Returns
    -------
    bytes
        PNG file content.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    st = region_state(drawing)
    m = compute_metrics(drawing)
    regs = regions()
    idx = {r.id: i for i, r in enumerate(regs)}
    marked = {mk.id for mk in drawing.marks if mk.intensity > 0}
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 8.4))
    for ax, v in zip(axes, (View.FRONT, View.BACK), strict=True):
        geo = CHART.views[v]
        polys, colours = [], []
        for rid, poly in geo.regions.items():
            polys.append(poly)
            colours.append(intensity_colour(st.intensity[idx[rid]]) if rid in marked
                           else SKIN)
        ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors=EDGE,
                                         linewidths=0.3))
        verts, codes = [], []
        for p in geo.outlines:
            verts += [*p, p[0]]
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(p) - 1) + [MplPath.CLOSEPOLY]
        clip = PathPatch(MplPath(verts, codes), facecolor="none", edgecolor="none")
        ax.add_patch(clip)
        for c in geo.contours:
            ax.plot([p[0] for p in c], [p[1] for p in c], color=OUTLINE, lw=1.0,
                    solid_capstyle="round")
        ax.set_xlim(0, geo.width)
        ax.set_ylim(geo.height, 0)
        ax.set_aspect("equal")
        ax.axis("off")
        fig.canvas.draw()
        # points per chart unit, to give strokes their width in chart units
        bbox = ax.get_window_extent()
        pt_per_unit = bbox.height / geo.height * 72.0 / fig.dpi
        for s in drawing.strokes:
            if View(s.view) != v:
                continue
            xs = [p[0] for p in s.points]
            ys = [p[1] for p in s.points]
            (line,) = ax.plot(xs, ys, color=intensity_colour(s.intensity),
                              lw=s.width * pt_per_unit, solid_capstyle="round",
                              solid_joinstyle="round", alpha=0.85,
                              marker="o" if len(xs) == 1 else None,
                              ms=s.width * pt_per_unit)
            line.set_clip_path(clip)
        left, right = _side_letters(v)
        ax.text(12, 30, left, fontsize=13, color=OUTLINE)
        ax.text(geo.width - 30, 30, right, fontsize=13, color=OUTLINE)
        ax.set_title(v.value.capitalize(), fontsize=12, color=OUTLINE)
    if title is None:
        title = (f"extent {m.extent_fraction * 100:.1f}%  ·  max {m.max_intensity:g}/10  ·  "
                 f"WPI {m.wpi}/19  ·  Quebec {m.quebec if m.quebec is not None else '–'}  ·  "
                 f"{m.laterality}")
    fig.suptitle(title, fontsize=11, color=OUTLINE)
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LinearSegmentedColormap, Normalize

    cmap = LinearSegmentedColormap.from_list(
        "painmap", [(t, tuple(c / 255 for c in rgb)) for t, rgb in _RAMP])
    cax = fig.add_axes((0.3, 0.05, 0.4, 0.018))
    cb = fig.colorbar(ScalarMappable(Normalize(0, 10), cmap), cax=cax, orientation="horizontal")
    cb.set_label("intensity (0-10)", fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.09, wspace=0.02)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return buf.getvalue()
