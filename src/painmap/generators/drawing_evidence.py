"""Turn a pain drawing into evidence findings (drawing features are evidence too).

:func:`summarize_drawing` asks :mod:`painmap.bodymap` for the drawing's features and
keeps what the ranking uses; :func:`findings_from_summary` turns that summary into
``drawing_*`` findings of the knowledge base:

* ``drawing_midline_pain`` present/absent (DePalma 2011: midline pain and disc pain);
* ``drawing_unilateral_buttock_no_lumbar`` for the side of the buttock pain;
* ``drawing_groin_pain`` and ``drawing_below_knee`` per side (shown, not counted);
* ``drawing_dermatomal_match`` present/absent per root and candidate side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from painmap.bodymap.drawing import Drawing
from painmap.generators.candidates import ROOT_NAMES, SIDES
from painmap.generators.evidence import Finding

#: A dermatome counts as "followed" when its score for a side reaches this value.
DERMATOME_MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class DrawingSummary:
    """What the ranking needs from a drawing (sides are ``"left"``/``"right"``)."""

    any_pain: bool
    midline_lumbar: bool
    lumbar_sides: frozenset[str] = frozenset()
    buttock_sides: frozenset[str] = frozenset()
    groin_sides: frozenset[str] = frozenset()
    thigh_sides: frozenset[str] = frozenset()
    below_knee_sides: frozenset[str] = frozenset()
    dermatome_scores: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def pain_sides(self) -> frozenset[str]:
        """Sides with any lateral pain (lumbar, buttock, groin, thigh or leg)."""
        return (
            self.lumbar_sides
            | self.buttock_sides
            | self.groin_sides
            | self.thigh_sides
            | self.below_knee_sides
        ) & frozenset(SIDES)


def _sides(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = {value}
    out: set[str] = set()
    for v in value:  # type: ignore[attr-defined]
        s = str(getattr(v, "value", v))
        if s in ("bilateral", "both"):
            out.update(SIDES)
        elif s in SIDES:
            out.add(s)
    return frozenset(out)


def summarize_drawing(drawing: Drawing) -> DrawingSummary:
    """Summarise a drawing with :func:`painmap.bodymap.features`.

    Parameters
    ----------
    drawing : Drawing
        Region marks and/or strokes.

    Returns
    -------
    DrawingSummary
        Sides with pain per area, midline lumbar pain and dermatome scores.
    """
    from painmap import bodymap

    feats = bodymap.features(drawing)  # type: ignore[attr-defined]
    scores_raw = getattr(feats, "dermatome_scores", {}) or {}
    scores: dict[str, dict[str, float]] = {}
    for root, per_side in scores_raw.items():
        r = str(getattr(root, "value", root))
        scores[r] = {str(getattr(s, "value", s)): float(v) for s, v in per_side.items()}
    lumbar = _sides(getattr(feats, "lumbar_sides", None))
    midline = bool(getattr(feats, "midline_lumbar", False))
    any_pain = bool(drawing.marks or drawing.strokes)
    return DrawingSummary(
        any_pain=any_pain,
        midline_lumbar=midline,
        lumbar_sides=lumbar,
        buttock_sides=_sides(getattr(feats, "buttock_sides", None)),
        groin_sides=_sides(getattr(feats, "groin_sides", None)),
        thigh_sides=_sides(getattr(feats, "thigh_sides", None)),
        below_knee_sides=_sides(getattr(feats, "below_knee_sides", None)),
        dermatome_scores=scores,
    )


def findings_from_summary(summary: DrawingSummary, sides: frozenset[str]) -> list[Finding]:
    """Drawing findings for the knowledge base.

    Parameters
    ----------
    summary : DrawingSummary
        The drawing's summary.
    sides : frozenset of str
        Candidate sides of the patient (dermatome findings are made for these).

    Returns
    -------
    list of Finding
        Empty when the drawing shows no pain at all.
    """
    if not summary.any_pain:
        return []
    out = [
        Finding(
            item="drawing_midline_pain", result="present" if summary.midline_lumbar else "absent"
        )
    ]
    no_lumbar = not summary.midline_lumbar and not summary.lumbar_sides
    if no_lumbar and len(summary.buttock_sides) == 1:
        (side,) = tuple(summary.buttock_sides)
        out.append(
            Finding(item="drawing_unilateral_buttock_no_lumbar", result="present", side=side)
        )
    for side in sorted(summary.groin_sides):
        out.append(Finding(item="drawing_groin_pain", result="present", side=side))
    for side in sorted(summary.below_knee_sides):
        out.append(Finding(item="drawing_below_knee", result="present", side=side))
    for root in ROOT_NAMES:
        for side in sorted(sides):
            score = summary.dermatome_scores.get(root, {}).get(side, 0.0)
            result = "present" if score >= DERMATOME_MATCH_THRESHOLD else "absent"
            out.append(
                Finding(item="drawing_dermatomal_match", result=result, root=root, side=side)
            )
    return out
