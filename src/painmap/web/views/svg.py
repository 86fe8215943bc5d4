"""Tiny helpers to build SVG markup safely (every text is escaped)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr


def attrs(**values: object) -> str:
    """Render keyword arguments as SVG attributes (``stroke_width`` -> ``stroke-width``)."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f"{name}={quoteattr(str(value))}")
    return " ".join(parts)


def el(tag: str, text: str | None = None, **values: object) -> str:
    """One SVG element, with escaped text content."""
    if text is None:
        return f"<{tag} {attrs(**values)}/>"
    return f"<{tag} {attrs(**values)}>{escape(text)}</{tag}>"


def intensity_colour(value: float) -> str:
    """Pale yellow (0) to deep red (10), the same scale as the drawing page."""
    t = max(0.0, min(10.0, value)) / 10.0
    r = round(253 - t * (253 - 165))
    g = round(219 - t * 219)
    b = round(120 - t * (120 - 38))
    return f"rgb({r},{g},{b})"


def posterior_colour(p: float) -> str:
    """White (0) to deep teal-blue (1) for posterior probabilities."""
    t = max(0.0, min(1.0, p))
    r = round(247 - t * (247 - 8))
    g = round(251 - t * (251 - 81))
    b = round(255 - t * (255 - 156))
    return f"rgb({r},{g},{b})"
