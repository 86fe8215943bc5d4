"""Build the painmap body chart from parametric shapes (run to regenerate the data files).

The chart is original work of the painmap project. Each view (front, back) lives in one
canonical coordinate space of ``WIDTH`` x ``HEIGHT`` units (x to the right, y down, as in
SVG). The body is made of *tubes*: a head-and-neck tube, a trunk tube, and per side an
arm, a hand, a lower-limb and a foot tube. A tube is two edge curves (Catmull-Rom splines
through hand-placed station points, parameterised by ``t``, roughly the height on the
chart). A region is a rectangle ``[t0, t1] x [u0, u1]`` in a tube's parameter space, where
``u`` runs from -1 (viewer's left edge) to +1 (viewer's right edge). Regions of one tube
tile it exactly, so region polygons never overlap within a tube.

Sides: the front view shows the patient facing the viewer, so the viewer's left half is
the patient's **right**; the back view shows the patient from behind, so the viewer's
left half is the patient's **left**.

Run ``python -m painmap.bodymap.chart_build`` to rewrite ``data/chart.json``,
``data/regions.json`` and ``data/chart_front.svg`` / ``data/chart_back.svg``. A test checks
that the committed files equal what this module builds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

WIDTH = 400
HEIGHT = 1000
DATA_DIR = Path(__file__).parent / "data"
SCHEME_VERSION = "painmap-chart-1"

Point = tuple[float, float]


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Tube:
    """Two edge curves through station points; ``t`` increases along the tube."""

    name: str
    ts: tuple[float, ...]
    left: tuple[Point, ...]
    right: tuple[Point, ...]

    def _edge(self, pts: tuple[Point, ...], t: float) -> Point:
        ts = self.ts
        if t <= ts[0]:
            return pts[0]
        if t >= ts[-1]:
            return pts[-1]
        k = 0
        while ts[k + 1] < t:
            k += 1
        s = (t - ts[k]) / (ts[k + 1] - ts[k])
        p0 = pts[max(k - 1, 0)]
        p1, p2 = pts[k], pts[k + 1]
        p3 = pts[min(k + 2, len(pts) - 1)]
        # centripetal-free uniform Catmull-Rom; tangents halved near the ends keep it tame
        out = []
        for a, b, c, d in zip(p0, p1, p2, p3, strict=True):
            m1 = (c - a) / 2.0
            m2 = (d - b) / 2.0
            h00 = 2 * s**3 - 3 * s**2 + 1
            h10 = s**3 - 2 * s**2 + s
            h01 = -2 * s**3 + 3 * s**2
            h11 = s**3 - s**2
            out.append(h00 * b + h10 * m1 + h01 * c + h11 * m2)
        return (out[0], out[1])

    def point(self, t: float, u: float) -> Point:
        """Point at parameter ``t`` and across-coordinate ``u`` in [-1, 1]."""
        a = self._edge(self.left, t)
        b = self._edge(self.right, t)
        s = (u + 1.0) / 2.0
        return (a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s)

    def patch(self, t0: float, t1: float, u0: float, u1: float) -> list[Point]:
        """Polygon of the parameter rectangle, sampled every ~3 units of ``t``."""
        n = max(2, math.ceil(abs(t1 - t0) / 3.0) + 1)
        ts = [t0 + (t1 - t0) * i / (n - 1) for i in range(n)]
        knots = [t for t in self.ts if t0 < t < t1]
        ts = sorted(set(ts) | set(knots))
        side_a = [self.point(t, u0) for t in ts]
        side_b = [self.point(t, u1) for t in reversed(ts)]
        return side_a + side_b


def _vertical(name: str, stations: list[tuple[float, float, float]]) -> Tube:
    """Tube with horizontal stations ``(y, x_left, x_right)``."""
    return Tube(
        name,
        tuple(s[0] for s in stations),
        tuple((s[1], s[0]) for s in stations),
        tuple((s[2], s[0]) for s in stations),
    )


def _symmetric(name: str, stations: list[tuple[float, float]]) -> Tube:
    """Midline tube with stations ``(y, half_width)`` centred on the chart."""
    c = WIDTH / 2
    return _vertical(name, [(y, c - w, c + w) for y, w in stations])


def _mirror(tube: Tube, name: str) -> Tube:
    """Mirror a tube across the chart's vertical midline (edges swap)."""
    def m(p: Point) -> Point:
        return (WIDTH - p[0], p[1])

    return Tube(name, tube.ts, tuple(m(p) for p in tube.right), tuple(m(p) for p in tube.left))


HEAD = _symmetric(
    "head_neck",
    [(14, 3), (19, 20), (28, 33), (42, 43), (62, 48), (84, 48), (104, 44), (119, 37),
     (131, 28), (140, 21), (152, 20), (166, 22), (176, 27)],
)
TRUNK = _symmetric(
    "trunk",
    [(176, 27), (183, 50), (193, 74), (205, 81), (230, 78), (262, 72), (300, 68), (340, 62),
     (380, 58), (420, 60), (450, 66), (480, 73), (510, 76)],
)
# viewer-left limbs; the viewer-right ones are mirror images
ARM_VL = Tube(
    "arm",
    (186, 205, 235, 290, 345, 372, 420, 470, 505),
    ((119, 186), (104, 205), (97, 235), (90, 290), (84, 345), (81, 372), (77, 420), (72, 470),
     (69, 505)),
    ((131, 188), (132, 213), (128, 245), (119, 296), (110, 350), (106, 375), (101, 424),
     (93, 472), (88, 505)),
)
HAND_VL = Tube(
    "hand",
    (505, 520, 545, 570, 590, 602),
    ((69, 505), (64, 520), (60, 545), (61, 570), (65, 590), (72, 602)),
    ((88, 505), (93, 522), (95, 548), (93, 574), (88, 593), (81, 603)),
)
LEG_VL = _vertical(
    "leg",
    [(510, 124, 199), (530, 123, 198.5), (570, 126, 197), (620, 131, 194), (670, 138, 190.5),
     (700, 142, 189), (722, 143.5, 188.5), (745, 143, 187.5), (775, 140.5, 186.5),
     (805, 142, 185), (845, 148, 183), (885, 154, 181), (915, 158, 180.5)],
)
FOOT_VL = _vertical(
    "foot",
    [(915, 158, 180.5), (930, 156, 182.5), (948, 151.5, 185.5), (966, 149, 187.5),
     (979, 151, 187), (987, 157, 184)],
)


# --------------------------------------------------------------------------- region specs


@dataclass(frozen=True)
class Spec:
    """A region template: a parameter rectangle of a tube plus clinical attributes.

    ``u0, u1`` are given for the viewer-left copy (or across the whole width for midline
    regions); for limbs ``m0, m1`` run from 0 (lateral edge) to 1 (medial edge) instead.
    """

    kind: str
    label: str
    tube: str
    t0: float
    t1: float
    u0: float = -1.0
    u1: float = 0.0
    midline: bool = False
    limb: bool = False
    segment: str = ""
    wpi: str | None = None  # site stem, e.g. "hip" -> hip_l / hip_r; "neck" for axial sites
    low_back: bool = False
    below_knee: bool = False
    lb_group: str = ""  # Lund-Browder body-surface group
    extra: dict[str, Any] = field(default_factory=dict)


def _row(kind: str, label: str, tube: str, t0: float, t1: float, u0: float, u1: float,
         **kw: Any) -> Spec:
    return Spec(kind, label, tube, t0, t1, u0, u1, **kw)


def _front_specs() -> list[Spec]:
    h, tr = "head_neck", "trunk"
    s: list[Spec] = []
    # head and neck, split at the midline into sides
    for kind, label, t0, t1, seg, wpi, lb in [
        ("forehead", "forehead and scalp", 14, 62, "head", None, "head"),
        ("face", "face (eye and cheek)", 62, 110, "head", None, "head"),
        ("jaw", "jaw", 110, 140, "head", "jaw", "head"),
        ("neck_ant", "front of neck", 140, 176, "neck", "neck", "neck"),
    ]:
        s.append(_row(kind, label, h, t0, t1, -1, 0, segment=seg, wpi=wpi, lb_group=lb))
    trunk_rows: list[tuple[str, str, float, float, float, float, bool, str, str | None]] = [
        ("shoulder", "front of shoulder", 176, 222, -1, -0.45, False, "shoulder", "shoulder"),
        ("clavicle", "clavicle and upper chest", 176, 222, -0.45, 0, False, "shoulder",
         "shoulder"),
        ("chest_lat", "lateral chest wall", 222, 320, -1, -0.6, False, "chest", "chest"),
        ("chest", "chest (pectoral)", 222, 320, -0.6, -0.15, False, "chest", "chest"),
        ("sternum", "sternum", 222, 320, -0.15, 0.15, True, "chest", "chest"),
        ("hypochondrium", "upper abdomen (hypochondrium)", 320, 390, -1, -0.35, False,
         "abdomen", "abdomen"),
        ("epigastrium", "epigastrium", 320, 390, -0.35, 0.35, True, "abdomen", "abdomen"),
        ("abdomen_lat", "lateral abdomen (flank)", 390, 460, -1, -0.35, False, "abdomen",
         "abdomen"),
        ("umbilical", "umbilical region", 390, 460, -0.35, 0.35, True, "abdomen", "abdomen"),
        ("iliac", "iliac fossa (front of iliac crest)", 460, 510, -1, -0.55, False, "abdomen",
         "abdomen"),
        ("inguinal", "inguinal region (above the groin crease)", 460, 510, -0.55, -0.12, False,
         "abdomen", "abdomen"),
        ("suprapubic", "suprapubic region", 460, 510, -0.12, 0.12, True, "abdomen", "abdomen"),
    ]
    for kind, label, ta, tb, u0, u1, mid, seg, wpi in trunk_rows:
        s.append(_row(kind, label, tr, ta, tb, u0, u1, midline=mid, segment=seg, wpi=wpi,
                      lb_group="trunk_ant"))
    s += _arm_specs("front")
    leg = [
        ("hip_lat", "lateral hip (greater trochanter)", 510, 550, 0, 0.35, "hip", "hip", False),
        ("hip_ant", "front of hip", 510, 550, 0.35, 0.7, "hip", "hip", False),
        ("groin", "groin (inguinal crease)", 510, 550, 0.7, 1, "groin", "hip", False),
    ]
    for part, t0, t1 in (("upper", 550, 620), ("lower", 620, 690)):
        leg += [
            (f"thigh_lat_{part}", f"lateral thigh, {part}", t0, t1, 0, 0.3, "thigh",
             "upper_leg", False),
            (f"thigh_ant_{part}", f"front of thigh, {part}", t0, t1, 0.3, 0.75, "thigh",
             "upper_leg", False),
            (f"thigh_med_{part}", f"medial thigh, {part}", t0, t1, 0.75, 1, "thigh",
             "upper_leg", False),
        ]
    leg += [
        ("knee_lat", "lateral knee", 690, 745, 0, 0.3, "knee", "lower_leg", False),
        ("knee_ant", "front of knee (patella)", 690, 745, 0.3, 0.75, "knee", "lower_leg", False),
        ("knee_med", "medial knee", 690, 745, 0.75, 1, "knee", "lower_leg", False),
    ]
    for part, t0, t1 in (("upper", 745, 830), ("lower", 830, 915)):
        leg += [
            (f"leg_lat_{part}", f"lateral leg, {part}", t0, t1, 0, 0.3, "leg", "lower_leg",
             True),
            (f"leg_ant_{part}", f"shin (front of leg), {part}", t0, t1, 0.3, 0.7, "leg",
             "lower_leg", True),
            (f"leg_med_{part}", f"medial leg, {part}", t0, t1, 0.7, 1, "leg", "lower_leg", True),
        ]
    for kind, label, t0, t1, m0, m1, seg, wpi, bk in leg:
        lb = "thigh" if seg in ("hip", "groin", "thigh") else "leg"
        s.append(Spec(kind, label, "leg", t0, t1, m0, m1, limb=True, segment=seg, wpi=wpi,
                      below_knee=bk, lb_group=lb))
    foot = [
        ("ankle_lat", "lateral ankle (lateral malleolus)", 915, 932, 0, 0.3),
        ("ankle_ant", "front of ankle", 915, 932, 0.3, 0.7),
        ("ankle_med", "medial ankle (medial malleolus)", 915, 932, 0.7, 1),
        ("foot_lat", "lateral border of foot", 932, 962, 0, 0.25),
        ("dorsum", "dorsum of foot", 932, 962, 0.25, 0.75),
        ("foot_med", "medial border of foot", 932, 962, 0.75, 1),
        ("toes_lesser", "lesser toes (2nd to 5th)", 962, 987, 0, 0.6),
        ("hallux", "big toe (hallux)", 962, 987, 0.6, 1),
    ]
    for kind, label, t0, t1, m0, m1 in foot:
        s.append(Spec(kind, label, "foot", t0, t1, m0, m1, limb=True, segment="ankle_foot",
                      below_knee=True, lb_group="foot"))
    return s


def _arm_specs(view: str) -> list[Spec]:
    f = view == "front"
    rows = [
        ("deltoid", "front of shoulder cap (deltoid)" if f else "back of shoulder cap (deltoid)",
         "arm", 186, 240, 0, 1, "shoulder", "shoulder", "upper_arm"),
        ("upper_arm_lat", "upper arm, lateral" if f else "back of upper arm, lateral", "arm",
         240, 350, 0, 0.5, "upper_arm", "upper_arm", "upper_arm"),
        ("upper_arm_med", "upper arm, medial (biceps)" if f else "back of upper arm, medial",
         "arm", 240, 350, 0.5, 1, "upper_arm", "upper_arm", "upper_arm"),
        ("elbow", "front of elbow" if f else "back of elbow (olecranon)", "arm", 350, 395, 0, 1,
         "elbow", "lower_arm", "forearm"),
        ("forearm_lat_upper", "forearm, lateral, upper", "arm", 395, 450, 0, 0.5, "forearm",
         "lower_arm", "forearm"),
        ("forearm_med_upper", "forearm, medial, upper", "arm", 395, 450, 0.5, 1, "forearm",
         "lower_arm", "forearm"),
        ("forearm_lat_lower", "forearm, lateral, lower", "arm", 450, 505, 0, 0.5, "forearm",
         "lower_arm", "forearm"),
        ("forearm_med_lower", "forearm, medial, lower", "arm", 450, 505, 0.5, 1, "forearm",
         "lower_arm", "forearm"),
        ("wrist", "wrist (palm side)" if f else "wrist (back)", "hand", 505, 521, 0, 1, "hand",
         None, "hand"),
        ("palm" if f else "hand_dorsum", "palm" if f else "back of hand", "hand", 521, 560, 0,
         1, "hand", None, "hand"),
        ("fingers", "fingers (palm side)" if f else "fingers (back)", "hand", 560, 603, 0, 1,
         "hand", None, "hand"),
    ]
    return [
        Spec(kind, label, tube, t0, t1, m0, m1, limb=True, segment=seg, wpi=wpi, lb_group=lb)
        for kind, label, tube, t0, t1, m0, m1, seg, wpi, lb in rows
    ]


def _back_specs() -> list[Spec]:
    h, tr = "head_neck", "trunk"
    s: list[Spec] = []
    for kind, label, t0, t1, seg, wpi, lb in [
        ("scalp", "back of scalp", 14, 70, "head", None, "head"),
        ("occiput", "occiput (back of head)", 70, 132, "head", None, "head"),
        ("neck_post", "back of neck", 132, 176, "neck", "neck", "neck"),
    ]:
        s.append(_row(kind, label, h, t0, t1, -1, 0, segment=seg, wpi=wpi, lb_group=lb))
    rows: list[tuple[str, str, float, float, float, float, bool, str, str | None, bool]] = [
        ("shoulder_post", "back of shoulder", 176, 222, -1, -0.5, False, "shoulder", "shoulder",
         False),
        ("trapezius", "upper trapezius", 176, 222, -0.5, -0.1, False, "shoulder", "shoulder",
         False),
        ("spine_cervicothoracic", "cervicothoracic spine (C7-T2)", 176, 222, -0.1, 0.1, True,
         "upper_back", "upper_back", False),
        ("scapular", "scapula", 222, 300, -1, -0.45, False, "upper_back", "upper_back", False),
        ("interscapular", "between the shoulder blades", 222, 300, -0.45, -0.1, False,
         "upper_back", "upper_back", False),
        ("spine_thoracic_upper", "thoracic spine, upper", 222, 300, -0.1, 0.1, True,
         "upper_back", "upper_back", False),
        ("thoracic_lat", "lower posterior ribs", 300, 385, -1, -0.5, False, "upper_back",
         "upper_back", False),
        ("thoracic_para", "lower thoracic paraspinal", 300, 385, -0.5, -0.1, False,
         "upper_back", "upper_back", False),
        ("spine_thoracic_lower", "thoracic spine, lower", 300, 385, -0.1, 0.1, True,
         "upper_back", "upper_back", False),
        # consensus low back: lower margin of the 12th ribs (y=385) to the gluteal folds (560)
        ("flank_upper", "posterior flank, upper (below the 12th rib)", 385, 428, -1, -0.5,
         False, "lumbar", "lower_back", True),
        ("flank_lower", "posterior flank, lower (iliac crest)", 428, 470, -1, -0.5, False,
         "lumbar", "lower_back", True),
    ]
    seg_y = [385 + 17 * i for i in range(6)]
    for i, lev in enumerate(("l1", "l2", "l3", "l4", "l5")):
        up = lev.upper()
        rows.append((f"lumbar_{lev}_para", f"lumbar paraspinal at {up}", seg_y[i], seg_y[i + 1],
                     -0.5, -0.1, False, "lumbar", "lower_back", True))
        rows.append((f"lumbar_{lev}_mid", f"lumbar midline at {up} (spinous process)",
                     seg_y[i], seg_y[i + 1], -0.1, 0.1, True, "lumbar", "lower_back", True))
    rows += [
        ("buttock_upper_outer", "upper outer buttock (below the iliac crest)", 470, 510, -1,
         -0.5, False, "buttock", "hip", True),
        ("sij", "sacroiliac joint / sacral sulcus (PSIS)", 470, 510, -0.5, -0.12, False,
         "pelvis", "lower_back", True),
        ("sacrum", "sacrum (midline)", 470, 498, -0.12, 0.12, True, "pelvis", "lower_back",
         True),
        ("coccyx", "coccyx and natal cleft", 498, 510, -0.12, 0.12, True, "pelvis",
         "lower_back", True),
    ]
    for kind, label, ta, tb, u0, u1, mid, seg, wpi, lbk in rows:
        lbg = "buttocks" if seg == "buttock" else "trunk_post"
        s.append(_row(kind, label, tr, ta, tb, u0, u1, midline=mid, segment=seg, wpi=wpi,
                      low_back=lbk, lb_group=lbg))
    s += _arm_specs("back")
    leg: list[tuple[str, str, float, float, float, float, str, str | None, bool, bool, str]] = [
        ("hip_post", "lateral buttock (greater trochanter, back)", 510, 560, 0, 0.3, "hip",
         "hip", False, False, "buttocks"),
        ("buttock", "buttock (gluteal)", 510, 560, 0.3, 1, "buttock", "hip", False, True,
         "buttocks"),
    ]
    for part, t0, t1 in (("upper", 560, 630), ("lower", 630, 700)):
        leg += [
            (f"thigh_postlat_{part}", f"back of thigh, lateral, {part}", t0, t1, 0, 0.3,
             "thigh", "upper_leg", False, False, "thigh"),
            (f"thigh_post_{part}", f"back of thigh, {part}", t0, t1, 0.3, 0.75, "thigh",
             "upper_leg", False, False, "thigh"),
            (f"thigh_postmed_{part}", f"back of thigh, medial, {part}", t0, t1, 0.75, 1,
             "thigh", "upper_leg", False, False, "thigh"),
        ]
    leg += [
        ("knee_postlat", "back of knee, lateral", 700, 745, 0, 0.3, "knee", "lower_leg", False,
         False, "leg"),
        ("popliteal", "back of knee (popliteal fossa)", 700, 745, 0.3, 0.75, "knee",
         "lower_leg", False, False, "leg"),
        ("knee_postmed", "back of knee, medial", 700, 745, 0.75, 1, "knee", "lower_leg", False,
         False, "leg"),
    ]
    for part, t0, t1 in (("upper", 745, 830), ("lower", 830, 915)):
        leg += [
            (f"leg_postlat_{part}", f"back of leg, lateral, {part}", t0, t1, 0, 0.3, "leg",
             "lower_leg", True, False, "leg"),
            (f"calf_{part}", f"calf, {part}", t0, t1, 0.3, 0.75, "leg", "lower_leg", True,
             False, "leg"),
            (f"leg_postmed_{part}", f"back of leg, medial, {part}", t0, t1, 0.75, 1, "leg",
             "lower_leg", True, False, "leg"),
        ]
    for kind, label, ta, tb, m0, m1, seg, wpi, bk, lbk, lbg in leg:
        s.append(Spec(kind, label, "leg", ta, tb, m0, m1, limb=True, segment=seg, wpi=wpi,
                      below_knee=bk, low_back=lbk, lb_group=lbg))
    foot = [
        ("ankle_lat", "lateral ankle, back", 915, 935, 0, 0.3),
        ("achilles", "Achilles tendon (back of ankle)", 915, 935, 0.3, 0.7),
        ("ankle_med", "medial ankle, back", 915, 935, 0.7, 1),
        ("heel", "heel", 935, 960, 0, 1),
        ("sole_lat", "sole, lateral", 960, 987, 0, 0.5),
        ("sole_med", "sole, medial (arch)", 960, 987, 0.5, 1),
    ]
    for kind, label, t0, t1, m0, m1 in foot:
        s.append(Spec(kind, label, "foot", t0, t1, m0, m1, limb=True, segment="ankle_foot",
                      below_knee=True, lb_group="foot"))
    return s


#: Distance of a segment from the spine along the lower-limb chain (centralisation).
DISTALITY = {"lumbar": 0, "pelvis": 1, "buttock": 1, "hip": 2, "groin": 2, "thigh": 2,
             "knee": 3, "leg": 4, "ankle_foot": 5}

#: Lund & Browder adult body-surface percentages per group (both views together).
LUND_BROWDER = {"head": 7.0, "neck": 2.0, "trunk_ant": 14.0, "trunk_post": 13.0,
                "buttocks": 5.0, "upper_arm": 8.0, "forearm": 6.0, "hand": 5.0,
                "thigh": 19.0, "leg": 14.0, "foot": 7.0}


def _tubes(view: str) -> dict[str, dict[str, Tube]]:
    """Tubes per placement: ``mid``, ``vl`` (viewer-left), ``vr`` (viewer-right)."""
    del view  # both views share one silhouette
    return {
        "mid": {"head_neck": HEAD, "trunk": TRUNK},
        "vl": {"arm": ARM_VL, "hand": HAND_VL, "leg": LEG_VL, "foot": FOOT_VL},
        "vr": {t.name: _mirror(t, t.name) for t in (ARM_VL, HAND_VL, LEG_VL, FOOT_VL)},
    }


def _polygon_area(poly: list[Point]) -> float:
    a = 0.0
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        a += x0 * y1 - x1 * y0
    return abs(a) / 2.0


def _round_poly(poly: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in poly:
        p = [round(x, 1), round(y, 1)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def _side_of(view: str, placement: str) -> str:
    """Patient side of a viewer-left or viewer-right copy in a view."""
    viewer_left_is = "right" if view == "front" else "left"
    other = "left" if viewer_left_is == "right" else "right"
    return viewer_left_is if placement == "vl" else other


def build_geometry() -> list[dict[str, Any]]:
    """Every region with its polygon and raw attributes (before area normalisation)."""
    out: list[dict[str, Any]] = []
    for view, specs in (("front", _front_specs()), ("back", _back_specs())):
        tubes = _tubes(view)
        prefix = "f" if view == "front" else "b"
        for sp in specs:
            copies: list[tuple[str, Tube, float, float]] = []
            if sp.midline:
                copies.append(("mid", tubes["mid"][sp.tube], sp.u0, sp.u1))
            elif sp.limb:
                # m: 0 lateral .. 1 medial; viewer-left limb: lateral = u -1
                copies.append(("vl", tubes["vl"][sp.tube], 2 * sp.u0 - 1,
                               2 * sp.u1 - 1))
                copies.append(("vr", tubes["vr"][sp.tube], 1 - 2 * sp.u1, 1 - 2 * sp.u0))
            else:
                copies.append(("vl", tubes["mid"][sp.tube], sp.u0, sp.u1))
                copies.append(("vr", tubes["mid"][sp.tube], -sp.u1, -sp.u0))
            for placement, tube, u0, u1 in copies:
                side = "midline" if placement == "mid" else _side_of(view, placement)
                rid = f"{prefix}_{sp.kind}" + ("" if side == "midline" else f"_{side[0]}")
                poly = tube.patch(sp.t0, sp.t1, u0, u1)
                wpi: str | None = sp.wpi
                if wpi is not None and wpi in {"jaw", "shoulder", "upper_arm", "lower_arm",
                                               "hip", "upper_leg", "lower_leg"}:
                    wpi = f"{wpi}_{side[0]}"
                label = sp.label if side == "midline" else f"{side} {sp.label}"
                label = f"{label} ({view})"
                out.append({
                    "id": rid,
                    "kind": f"{prefix}_{sp.kind}",
                    "view": view,
                    "side": side,
                    "label": label[0].upper() + label[1:],
                    "segment": sp.segment,
                    "distality": DISTALITY.get(sp.segment),
                    "wpi19": wpi,
                    "low_back": sp.low_back,
                    "below_knee": sp.below_knee,
                    "lb_group": sp.lb_group,
                    "tube": f"{tube.name}" + ("" if placement == "mid" else f"_{placement}"),
                    "chart_area": _polygon_area(poly),
                    "polygon": _round_poly(poly),
                })
    return out


def _outline(tube: Tube) -> list[Point]:
    return tube.patch(tube.ts[0], tube.ts[-1], -1.0, 1.0)


def _contours(tube: Tube) -> list[list[Point]]:
    """Visible edges of a tube: its side edges, joined over a free end (head top, hand
    and foot tips); ends that attach to another tube are left open."""
    poly = _outline(tube)
    half = len(poly) // 2
    left, right_rev = poly[:half], poly[half:]
    if tube.name == "head_neck":
        return [list(reversed(left)) + list(reversed(right_rev))]
    if tube.name in ("hand", "foot"):
        return [left + right_rev]
    return [left, list(reversed(right_rev))]


def build(dermatomes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build ``(chart, regions)`` documents from the geometry and the dermatome table.

    Parameters
    ----------
    dermatomes : dict
        Parsed ``data/dermatomes.json`` (weights per region kind, with sources).

    Returns
    -------
    tuple of dict
        The chart document (views, outlines, polygons) and the region table.
    """
    geo = build_geometry()
    group_area: dict[str, float] = {}
    for g in geo:
        group_area[g["lb_group"]] = group_area.get(g["lb_group"], 0.0) + g["chart_area"]
    weights = dermatomes["weights"]
    regions = []
    for g in geo:
        frac = LUND_BROWDER[g["lb_group"]] / 100.0 * g["chart_area"] / group_area[g["lb_group"]]
        entry = weights.get(g["kind"], {})
        derm = {k: v for k, v in entry.items() if k in ("L1", "L2", "L3", "L4", "L5", "S1",
                                                         "S2")}
        regions.append({
            "id": g["id"],
            "view": g["view"],
            "side": g["side"],
            "label": g["label"],
            "segment": g["segment"],
            "distality": g["distality"],
            "area_fraction": frac,
            "wpi19": g["wpi19"],
            "below_knee": g["below_knee"],
            "low_back": g["low_back"],
            "dermatomes": derm,
            "dermatome_source": entry.get("source"),
            "body_surface_group": g["lb_group"],
        })
    # round, then put the rounding residue on the largest region so the sum is exactly 1
    for r in regions:
        r["area_fraction"] = round(r["area_fraction"], 7)
    residue = round(1.0 - sum(r["area_fraction"] for r in regions), 7)
    biggest = max(regions, key=lambda r: r["area_fraction"])
    biggest["area_fraction"] = round(biggest["area_fraction"] + residue, 7)
    chart: dict[str, Any] = {
        "version": SCHEME_VERSION,
        "licence": "BSD-3-Clause; original drawing of the painmap project",
        "width": WIDTH,
        "height": HEIGHT,
        "views": {},
    }
    for view in ("front", "back"):
        tubes = _tubes(view)
        all_tubes = list(tubes["mid"].values()) + [
            t for p in ("vl", "vr") for t in tubes[p].values()]
        outlines = [_round_poly(_outline(t)) for t in all_tubes]
        contours = [_round_poly(c) for t in all_tubes for c in _contours(t)]
        if view == "back":  # natal cleft, down to where the legs part
            contours.append([[WIDTH / 2, 486.0], [WIDTH / 2, 510.0]])
        chart["views"][view] = {
            "width": WIDTH,
            "height": HEIGHT,
            "outlines": outlines,
            "contours": contours,
            "regions": {g["id"]: g["polygon"] for g in geo if g["view"] == view},
        }
    table = {
        "version": SCHEME_VERSION,
        "meta": {
            "area_fraction": (
                "Share of the whole body surface. Each region's share of its Lund-Browder "
                "body-surface group (adult column: head 7, neck 2, anterior trunk 13 + "
                "genitalia 1, posterior trunk 13, buttocks 5, upper arms 8, forearms 6, "
                "hands 5, thighs 19, legs 14, feet 7 percent) is proportional to its chart "
                "area; all regions of both views sum to 1."
            ),
            "area_fraction_source": (
                "Lund CC, Browder NC. The estimation of areas of burns. Surg Gynecol Obstet "
                "1944;79:352-358 (adult column; values as widely reproduced, UNVERIFIED "
                "against the original table)."
            ),
            "low_back": (
                "Consensus low-back area: from the lower margin of the 12th ribs to the lower "
                "gluteal folds, posterior view (Dionne CE et al. Spine 2008;33(1):95-103). "
                "The trochanteric (lateral hip) region is excluded as a hip differential."
            ),
            "wpi19": (
                "ACR 2016 Widespread Pain Index site (Wolfe F et al. Semin Arthritis Rheum "
                "2016;46:319-329). Decisions where the criteria are silent: elbow counts as "
                "lower arm, knee as lower leg, groin as hip; head, hands, wrists, ankles and "
                "feet belong to no site."
            ),
            "dermatomes": dermatomes["meta"],
        },
        "regions": regions,
    }
    return chart, table


# --------------------------------------------------------------------------- SVG


def _path(poly: list[list[float]]) -> str:
    pts = " ".join(f"{x:g},{y:g}" for x, y in poly)
    return f"M{pts}Z"


def chart_svg_text(chart: dict[str, Any], table: dict[str, Any], view: str) -> str:
    """Plain (non-interactive) SVG of one view with each region titled by its label."""
    labels = {r["id"]: r["label"] for r in table["regions"]}
    v = chart["views"][view]
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="title-{view}">',
        f'<title id="title-{view}">painmap body chart, {view} view ({SCHEME_VERSION})</title>',
        '<g class="regions" fill="#f3ece4" stroke="#8a7f75" stroke-width="0.6">',
    ]
    for rid, poly in v["regions"].items():
        lines.append(
            f'<path id="{rid}" data-region="{rid}" d="{_path(poly)}">'
            f"<title>{escape(labels[rid])}</title></path>"
        )
    lines.append("</g>")
    lines.append('<g class="outline" fill="none" stroke="#3d3833" stroke-width="1.4">')
    for poly in v["contours"]:
        pts = " ".join(f"{x:g},{y:g}" for x, y in poly)
        lines.append(f'<polyline points="{pts}"/>')
    lines.append("</g>")
    left_x, right_x = (30, 370)
    left_txt, right_txt = ("R", "L") if view == "front" else ("L", "R")
    lines.append(
        f'<g class="sides" font-family="sans-serif" font-size="22" fill="#3d3833">'
        f'<text x="{left_x}" y="40">{left_txt}</text>'
        f'<text x="{right_x}" y="40">{right_txt}</text>'
        f'<text x="200" y="998" font-size="16" text-anchor="middle">{view.upper()}</text></g>'
    )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Regenerate the chart data files in ``data/``."""
    dermatomes = json.loads((DATA_DIR / "dermatomes.json").read_text(encoding="utf-8"))
    chart, table = build(dermatomes)
    (DATA_DIR / "chart.json").write_text(json.dumps(chart, separators=(",", ":")) + "\n",
                                         encoding="utf-8")
    (DATA_DIR / "regions.json").write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    for view in ("front", "back"):
        (DATA_DIR / f"chart_{view}.svg").write_text(chart_svg_text(chart, table, view),
                                                    encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()
