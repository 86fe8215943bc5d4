"""Server-side SVG of the lumbar spine: levels x sides coloured by posterior probability."""

from __future__ import annotations

from painmap.core.enums import LEVELS
from painmap.web.views.svg import el, posterior_colour

#: Columns of the diagram: (structure, side) drawn left to right as seen from behind.
COLUMNS = (
    ("root", "left", "Root L"),
    ("facet", "left", "Facet L"),
    ("disc", None, "Disc"),
    ("facet", "right", "Facet R"),
    ("root", "right", "Root R"),
)


def spine_svg(posteriors: dict[tuple[str, str, str | None], float]) -> str:
    """A grid of lumbar levels (rows) and structures/sides (columns).

    Parameters
    ----------
    posteriors : dict
        ``(structure, level, side) -> posterior``; ``side`` is None for discs. Roots are
        keyed by the level whose foramen they exit (e.g. L5 root at ``L5-S1``).

    Returns
    -------
    str
        An ``<svg>`` with one titled cell per level, structure and side.
    """
    cw, ch, left, top = 74, 40, 64, 30
    width = left + cw * len(COLUMNS) + 10
    height = top + ch * len(LEVELS) + 34
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="spine" '
        'role="img" aria-labelledby="spine-title">',
        el("title", "Spine diagram: posterior probability by level and side", id="spine-title"),
    ]
    for j, (_, _, label) in enumerate(COLUMNS):
        out.append(el("text", label, x=left + cw * j + cw / 2, y=top - 10, text_anchor="middle",
                      class_="tick"))
    for i, level in enumerate(LEVELS):
        y = top + ch * i
        out.append(el("text", level.value, x=left - 8, y=y + ch / 2 + 4, text_anchor="end",
                      class_="tick"))
        for j, (structure, side, label) in enumerate(COLUMNS):
            p = posteriors.get((structure, level.value, side), 0.0)
            x = left + cw * j
            rx = 14 if structure == "disc" else 6
            out.append(
                f'<rect x="{x + 3}" y="{y + 3}" width="{cw - 6}" height="{ch - 6}" rx="{rx}" '
                f'fill="{posterior_colour(p)}" class="cell"><title>{label} {level.value}: '
                f'{p:.0%}</title></rect>'
            )
            if p >= 0.01:
                cls = "cell-text light" if p > 0.5 else "cell-text"
                out.append(el("text", f"{p:.0%}", x=x + cw / 2, y=y + ch / 2 + 4,
                              text_anchor="middle", class_=cls))
    # legend
    ly = top + ch * len(LEVELS) + 14
    for k in range(6):
        p = k / 5
        out.append(el("rect", x=left + k * 40, y=ly, width=40, height=10,
                      fill=posterior_colour(p)))
    out.append(el("text", "0%", x=left, y=ly + 22, class_="tick"))
    out.append(el("text", "posterior", x=left + 120, y=ly + 22, text_anchor="middle",
                  class_="tick"))
    out.append(el("text", "100%", x=left + 240, y=ly + 22, text_anchor="end", class_="tick"))
    out.append("</svg>")
    return "".join(out)
