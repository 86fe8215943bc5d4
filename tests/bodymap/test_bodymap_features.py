"""Clinical features of a drawing (evidence for the pain-generator ranking)."""

from __future__ import annotations

from bodymap_helpers import marks

from painmap.bodymap import Drawing, RegionMark, Stroke, features
from painmap.core.enums import Root, Side


def test_s1_pattern_on_the_left() -> None:
    d = Drawing(marks=[
        RegionMark(id="b_lumbar_l5_mid", intensity=5),
        RegionMark(id="b_lumbar_l5_para_l", intensity=6),
        RegionMark(id="b_buttock_l", intensity=6),
        RegionMark(id="b_thigh_post_upper_l", intensity=7, qualities=["shooting"]),
        RegionMark(id="b_calf_lower_l", intensity=7, qualities=["electric"]),
        RegionMark(id="b_heel_l", intensity=6),
        RegionMark(id="f_foot_lat_l", intensity=6),
    ])
    f = features(d)
    assert f.midline_lumbar
    assert f.lumbar_sides == [Side.LEFT, Side.MIDLINE]
    assert f.lumbar_levels == ["L5"]
    assert f.buttock_sides == [Side.LEFT]
    assert f.thigh_sides == [Side.LEFT] and f.below_knee_sides == [Side.LEFT]
    assert f.foot_sides == [Side.LEFT]
    assert f.groin_sides == [] and f.sij_sides == []
    assert f.areas["thigh_posterior"] == [Side.LEFT] and f.areas["heel"] == [Side.LEFT]
    assert f.neuropathic_leg_sides == [Side.LEFT]
    s1 = f.dermatome_scores[Root.S1]
    assert s1["left"] > 0 and s1["right"] == 0
    best = max(f.dermatome_share, key=lambda r: f.dermatome_share[r]["left"])
    assert best == Root.S1
    assert f.quebec == 3 and f.leg_dominant is True
    assert f.leg_max_intensity == 7 and f.back_max_intensity == 6


def test_l5_scores_beat_s1_for_an_l5_drawing_per_side() -> None:
    f = features(marks(["f_leg_lat_upper_r", "f_leg_lat_lower_r", "f_dorsum_r"]))
    assert f.dermatome_scores[Root.L5]["right"] > f.dermatome_scores[Root.S1]["right"]
    assert f.dermatome_scores[Root.L5]["left"] == 0


def test_groin_sij_and_hip_sides() -> None:
    f = features(marks(["f_groin_r", "b_sij_l", "f_hip_lat_l"]))
    assert f.groin_sides == [Side.RIGHT]
    assert f.sij_sides == [Side.LEFT]
    assert f.hip_sides == [Side.LEFT]
    assert not f.midline_lumbar and f.lumbar_sides == []


def test_axial_only_and_back_dominant() -> None:
    f = features(marks(["b_lumbar_l3_para_r", "b_lumbar_l4_para_r", "b_lumbar_l4_mid"]))
    assert f.quebec == 1 and not f.leg_dominant and f.below_knee_sides == []
    assert f.lumbar_levels == ["L3", "L4"]
    assert all(v == 0 for sides in f.dermatome_scores.values() for v in sides.values())


def test_whole_leg_pain_is_flagged() -> None:
    stems = ["f_thigh_ant_upper", "f_thigh_lat_upper", "f_thigh_med_upper",
             "b_thigh_post_upper", "f_leg_ant_upper", "f_leg_lat_upper", "f_leg_med_upper",
             "b_calf_upper"]
    f = features(marks([f"{s}_r" for s in stems]))
    assert f.whole_leg_sides == [Side.RIGHT]
    assert features(marks([f"{s}_r" for s in stems[:-1]])).whole_leg_sides == []


def test_stroke_qualities_reach_the_regions() -> None:
    d = Drawing(strokes=[Stroke(view="front", points=[(160, 760), (158, 900)], width=14,
                                intensity=6, quality="pins_and_needles")])
    f = features(d)
    assert f.neuropathic_leg_sides == [Side.RIGHT]
    assert "pins_and_needles" in f.qualities


def test_dermatome_match_per_side() -> None:
    f = features(marks(["f_leg_med_upper_r", "f_leg_med_lower_r", "f_ankle_med_r",
                        "b_heel_l", "b_sole_lat_l"]))
    assert max(f.dermatome_match, key=lambda r: f.dermatome_match[r]["right"]) == Root.L4
    assert max(f.dermatome_match, key=lambda r: f.dermatome_match[r]["left"]) == Root.S1
