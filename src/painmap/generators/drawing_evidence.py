"""Turn a pain drawing into evidence findings (drawing features are evidence too).

:func:`summarize_drawing` asks :mod:`painmap.bodymap` for the drawing features the
ranking uses (:func:`painmap.bodymap.features.ranking_features`);
:func:`findings_from_summary` turns that summary into ``drawing_*`` findings of the
knowledge base:

* ``drawing_midline_pain`` present/absent (DePalma 2011: midline pain and disc pain);
* ``drawing_unilateral_buttock_no_lumbar`` for the side of the buttock pain;
* ``drawing_groin_pain`` and ``drawing_below_knee`` per side (shown, not counted);
* ``drawing_dermatomal_match`` present/absent per root and candidate side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from painmap.bodymap.drawing import Drawing
from painmap.bodymap.features import ranking_features
from painmap.generators.candidates import ROOT_NAMES, SIDES
from painmap.generators.evidence import Finding

#: The drawing "follows" a root's dermatome on a side when at least this share of that
#: side's painful lower-limb area lies in the root's territory ...
DERMATOME_SHARE_MIN = 0.5
#: ... and at least this share of the territory is painted (so one painted toe is not a
#: dermatomal pattern). Both are painmap's operational definition, not published values.
DERMATOME_SCORE_MIN = 0.2


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
    dermatome_share: dict[str, dict[str, float]] = field(default_factory=dict)

    def follows_dermatome(self, root: str, side: str) -> bool:
        """Whether the leg pain on ``side`` follows ``root``'s dermatome."""
        share = self.dermatome_share.get(root, {}).get(side, 0.0)
        score = self.dermatome_scores.get(root, {}).get(side, 0.0)
        return share >= DERMATOME_SHARE_MIN and score >= DERMATOME_SCORE_MIN

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


def _sides(value: list[Any]) -> frozenset[str]:
    out: set[str] = set()
    for v in value:
        s = str(v)
        if s in ("bilateral", "both"):
            out.update(SIDES)
        elif s in SIDES:
            out.add(s)
    return frozenset(out)


def _per_root(raw: dict[Any, dict[Any, float]]) -> dict[str, dict[str, float]]:
    return {str(r): {str(sd): float(v) for sd, v in per.items()} for r, per in raw.items()}


def summarize_drawing(drawing: Drawing) -> DrawingSummary:
    """Summarise a drawing with :func:`painmap.bodymap.features.ranking_features`.

    Parameters
    ----------
    drawing : Drawing
        Region marks and/or strokes.

    Returns
    -------
    DrawingSummary
        Sides with pain per area, midline lumbar pain and dermatome scores.
    """
    feats = ranking_features(drawing)
    sides = feats.sides
    return DrawingSummary(
        any_pain=feats.any_pain,
        midline_lumbar=feats.midline_lumbar,
        lumbar_sides=_sides(sides["lumbar_sides"]),
        buttock_sides=_sides(sides["buttock"]) | _sides(sides["sij"]),
        groin_sides=_sides(sides["groin_sides"]),
        thigh_sides=_sides(sides["thigh_sides"]),
        below_knee_sides=_sides(sides["below_knee_sides"]),
        dermatome_scores=_per_root(feats.dermatome_scores),
        dermatome_share=_per_root(feats.dermatome_share),
    )


@lru_cache(maxsize=1024)
def _finding(item: str, result: str, root: str | None = None, side: str | None = None) -> Finding:
    """A drawing finding (frozen, so one instance per distinct value is shared)."""
    given: dict[str, str] = {"item": item, "result": result}
    if root is not None:
        given["root"] = root
    if side is not None:
        given["side"] = side
    return Finding(**given)


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
    out = [_finding("drawing_midline_pain", "present" if summary.midline_lumbar else "absent")]
    no_lumbar = not summary.midline_lumbar and not summary.lumbar_sides
    if no_lumbar and len(summary.buttock_sides) == 1:
        (side,) = tuple(summary.buttock_sides)
        out.append(_finding("drawing_unilateral_buttock_no_lumbar", "present", side=side))
    for side in sorted(summary.groin_sides):
        out.append(_finding("drawing_groin_pain", "present", side=side))
    for side in sorted(summary.below_knee_sides):
        out.append(_finding("drawing_below_knee", "present", side=side))
    for root in ROOT_NAMES:
        for side in sorted(sides):
            result = "present" if summary.follows_dermatome(root, side) else "absent"
            out.append(_finding("drawing_dermatomal_match", result, root=root, side=side))
    return out
