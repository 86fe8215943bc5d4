"""Comparison of two drawings: overlap, extent change, centralisation."""

from __future__ import annotations

import pytest
from bodymap_helpers import marks

from painmap.bodymap import Drawing, Stroke
from painmap.bodymap.compare import compare


def test_identical_and_disjoint() -> None:
    a = marks(["b_lumbar_l4_para_l", "b_buttock_l"])
    same = compare(a, a)
    assert same.jaccard == pytest.approx(1.0) and same.extent_change == 0
    assert same.direction == "unchanged"
    other = compare(a, marks(["f_shoulder_r"]))
    assert other.jaccard == 0.0


def test_centralisation() -> None:
    before = marks(["b_lumbar_l5_para_l", "b_buttock_l", "b_thigh_post_upper_l",
                    "b_calf_upper_l"])
    after = marks(["b_lumbar_l5_para_l", "b_buttock_l"])
    c = compare(before, after)
    assert c.direction == "centralised"
    assert c.distal_before == "leg" and c.distal_after == "pelvis_buttock"
    assert c.sides["left"].direction == "centralised"
    assert c.sides["right"].direction == "none"
    assert c.extent_change < 0 and 0 < c.jaccard < 1
    assert c.regions_removed == ["b_calf_upper_l", "b_thigh_post_upper_l"]


def test_peripheralisation_resolution_and_new_pain() -> None:
    back = marks(["b_lumbar_l4_mid"])
    leg = marks(["b_lumbar_l4_mid", "f_dorsum_r"])
    c = compare(back, leg)
    assert c.direction == "peripheralised"
    assert c.sides["right"].direction == "peripheralised"
    assert compare(leg, Drawing()).direction == "resolved"
    assert compare(Drawing(), leg).direction == "new"


def test_jaccard_of_overlapping_strokes() -> None:
    s1 = Drawing(strokes=[Stroke(view="back", points=[(170, 560), (165, 700)], width=16,
                                 intensity=5)])
    s2 = Drawing(strokes=[Stroke(view="back", points=[(170, 630), (165, 770)], width=16,
                                 intensity=5)])
    c = compare(s1, s2)
    assert 0.2 < c.jaccard < 0.5
