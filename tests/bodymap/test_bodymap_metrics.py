"""Metrics from ACR 2016 rules and Quebec Task Force definitions, on real region ids."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bodymap_helpers import marks

from painmap.bodymap import (
    Drawing,
    RegionMark,
    Stroke,
    compute_metrics,
    marks_matrix,
    metrics_batch,
    region,
    regions,
)
from painmap.bodymap.baseline import metrics_python
from painmap.bodymap.raster import StrokeBatch, stroke_region_state
from painmap.bodymap.synthetic import synthetic_drawings

# ---------------------------------------------------------------- ACR 2016 WPI


def test_wpi_counts_sites_not_regions() -> None:
    # three regions inside the lower-back site count once
    m = compute_metrics(marks(["b_lumbar_l4_para_l", "b_lumbar_l4_mid", "b_sij_r"]))
    assert m.wpi == 1 and m.wpi_sites == ["lower_back"]


def test_all_19_sites() -> None:
    ids = ["f_jaw_l", "f_jaw_r", "f_shoulder_l", "b_shoulder_post_r", "f_upper_arm_lat_l",
           "b_upper_arm_med_r", "f_forearm_lat_upper_l", "b_forearm_med_lower_r",
           "b_buttock_l", "f_hip_lat_r", "f_thigh_ant_upper_l", "b_thigh_post_lower_r",
           "f_leg_ant_upper_l", "b_calf_lower_r", "b_neck_post_l", "b_interscapular_r",
           "b_lumbar_l5_mid", "f_sternum", "f_umbilical"]
    m = compute_metrics(marks(ids))
    assert m.wpi == 19
    assert m.wpi_regions_generalized == 5 and m.generalized_pain


def test_jaw_chest_abdomen_do_not_count_towards_generalised_pain() -> None:
    m = compute_metrics(marks(["f_jaw_l", "f_jaw_r", "f_chest_l", "f_epigastrium"]))
    assert m.wpi == 4  # they are WPI sites ...
    assert m.wpi_regions_generalized == 0  # ... but not generalised-pain regions
    assert not m.generalized_pain


def test_generalised_pain_needs_four_of_five_regions() -> None:
    three = ["f_shoulder_l", "f_shoulder_r", "b_lumbar_l3_mid"]
    m3 = compute_metrics(marks(three))
    assert m3.wpi_regions_generalized == 3 and not m3.generalized_pain
    assert set(m3.wpi_regions) == {"left_upper", "right_upper", "axial"}
    m4 = compute_metrics(marks([*three, "f_thigh_ant_upper_r"]))
    assert m4.wpi_regions_generalized == 4 and m4.generalized_pain
    # jaw does not add a fifth region; the left leg does
    assert compute_metrics(marks([*three, "f_thigh_ant_upper_r", "f_jaw_l"])
                           ).wpi_regions_generalized == 4
    assert compute_metrics(marks([*three, "f_thigh_ant_upper_r", "b_calf_upper_l"])
                           ).wpi_regions_generalized == 5


def test_hands_feet_and_head_are_not_wpi_sites() -> None:
    m = compute_metrics(marks(["f_palm_l", "f_dorsum_r", "b_heel_l", "f_forehead_l"]))
    assert m.wpi == 0


# ---------------------------------------------------------------- Quebec


@pytest.mark.parametrize(("ids", "cls"), [
    (["b_lumbar_l4_para_l", "b_lumbar_l5_mid"], 1),          # no radiation
    (["b_lumbar_l5_para_r", "b_buttock_r", "b_sij_r"], 1),   # buttock is in the low back
    (["b_lumbar_l5_para_r", "b_thigh_post_upper_r"], 2),     # radiation above the knee
    (["b_lumbar_l5_para_r", "f_knee_ant_r"], 2),             # knee is not below the knee
    (["b_lumbar_l4_para_l", "f_groin_l"], 2),
    (["b_lumbar_l5_para_l", "b_calf_upper_l"], 3),           # below the knee
    (["b_lumbar_l5_para_l", "b_thigh_post_upper_l", "b_heel_l"], 3),
    (["f_dorsum_r"], 3),
])
def test_quebec_classes(ids: list[str], cls: int) -> None:
    assert compute_metrics(marks(ids)).quebec == cls


def test_quebec_is_null_without_back_or_leg_pain() -> None:
    assert compute_metrics(Drawing()).quebec is None
    assert compute_metrics(marks(["f_shoulder_l"])).quebec is None


# ---------------------------------------------------------------- dermatomes


def test_lateral_leg_and_dorsum_rank_l5_first() -> None:
    m = compute_metrics(marks(["f_leg_lat_upper_l", "f_leg_lat_lower_l", "f_dorsum_l"]))
    assert m.dermatomes[0].root.value == "L5"


def test_lateral_foot_heel_and_sole_rank_s1_first() -> None:
    m = compute_metrics(marks(["f_foot_lat_r", "b_heel_r", "b_sole_lat_r", "b_sole_med_r"]))
    assert m.dermatomes[0].root.value == "S1"


def test_medial_leg_ranks_l4_and_groin_ranks_l1() -> None:
    m = compute_metrics(marks(["f_leg_med_upper_l", "f_leg_med_lower_l", "f_ankle_med_l"]))
    assert m.dermatomes[0].root.value == "L4"
    assert compute_metrics(marks(["f_groin_r"])).dermatomes[0].root.value == "L1"


def test_axial_pain_has_no_dermatome() -> None:
    assert compute_metrics(marks(["b_lumbar_l4_para_l", "b_lumbar_l4_mid"])).dermatomes == []


# ---------------------------------------------------------------- other metrics


def test_extent_intensity_and_laterality() -> None:
    d = Drawing(marks=[RegionMark(id="b_buttock_l", intensity=8),
                       RegionMark(id="b_calf_upper_l", intensity=4)])
    m = compute_metrics(d)
    a1, a2 = region("b_buttock_l").area_fraction, region("b_calf_upper_l").area_fraction
    assert m.extent_fraction == pytest.approx(a1 + a2, abs=1e-6)
    assert m.intensity_weighted_extent == pytest.approx((8 * a1 + 4 * a2) / 10, abs=1e-6)
    assert m.max_intensity == 8 and m.region_count == 2
    assert m.laterality == "left" and m.laterality_index == -1.0
    assert m.distal_segment == "leg"
    both = compute_metrics(marks(["b_buttock_l", "b_buttock_r"]))
    assert both.laterality == "bilateral" and both.laterality_index == pytest.approx(0, abs=1e-3)
    assert compute_metrics(marks(["b_lumbar_l4_mid"])).laterality == "midline"
    assert compute_metrics(Drawing()).laterality == "none"


def test_zero_intensity_mark_is_not_pain() -> None:
    m = compute_metrics(Drawing(marks=[RegionMark(id="b_heel_l", intensity=0)]))
    assert m.region_count == 0 and m.extent_fraction == 0 and m.quebec is None


def test_stroke_scoring_gives_region_fractions() -> None:
    # a wide stroke down the middle of the left calf covers most of it
    d = Drawing(strokes=[Stroke(view="back", points=[(233, 750), (233, 910)], width=30,
                                intensity=6, quality="aching")])
    m = compute_metrics(d)
    assert m.region_fractions["b_calf_upper_r"] > 0.5
    assert m.quebec == 3 and m.max_intensity == 6
    lower_leg_back = sum(r.area_fraction for r in regions()
                         if r.view.value == "back" and r.side.value == "right"
                         and r.segment in ("leg", "ankle_foot"))
    assert 0.5 * lower_leg_back < m.extent_fraction < lower_leg_back
    assert set(m.region_fractions) <= {r.id for r in regions()
                                       if r.segment in ("leg", "ankle_foot", "knee")}


def test_batch_metrics_equal_single_and_python_baseline() -> None:
    drawings = synthetic_drawings(120, seed=7)
    rows = [{mk.id: mk.intensity for mk in d.marks} for d in drawings]
    b = metrics_batch(marks_matrix(rows))
    for k, (d, row) in enumerate(zip(drawings, rows, strict=True)):
        m = compute_metrics(d)
        ref = metrics_python(row)
        assert b.extent_fraction[k] == pytest.approx(m.extent_fraction, abs=1e-5)
        assert b.extent_fraction[k] == pytest.approx(ref["extent_fraction"], abs=1e-9)
        assert b.wpi[k] == m.wpi == ref["wpi"]
        assert b.wpi_regions_generalized[k] == m.wpi_regions_generalized
        assert b.quebec[k] == (m.quebec or 0) == ref["quebec"]
        assert b.region_count[k] == m.region_count
        assert b.max_intensity[k] == m.max_intensity
        np.testing.assert_allclose(b.dermatomes[k], ref["dermatomes"], atol=1e-9)  # type: ignore[arg-type]
        li = ref["laterality_index"]
        assert (math.isnan(b.laterality_index[k]) and math.isnan(li)) or \
            b.laterality_index[k] == pytest.approx(li)  # type: ignore[arg-type]


def test_batch_metrics_for_freehand_drawings_equal_single() -> None:
    drawings = synthetic_drawings(40, seed=3, freehand=True)
    cov, inten, weighted = stroke_region_state(StrokeBatch.from_drawings(drawings))
    b = metrics_batch(inten, cov, weighted)
    for k, d in enumerate(drawings):
        m = compute_metrics(d)
        assert b.extent_fraction[k] == pytest.approx(m.extent_fraction, abs=1e-5)
        assert b.intensity_weighted_extent[k] == pytest.approx(m.intensity_weighted_extent,
                                                               abs=1e-5)
        assert b.wpi[k] == m.wpi and b.quebec[k] == (m.quebec or 0)
        assert b.region_count[k] == m.region_count


def test_empty_batch() -> None:
    b = metrics_batch(marks_matrix([{}, {}]))
    assert list(b.wpi) == [0, 0] and list(b.distality) == [-1, -1]


def test_posterior_leg_to_heel_ranks_s1_over_s2() -> None:
    """Dice match: S2's small territory does not win a classic S1 sciatica drawing."""
    m = compute_metrics(marks(["b_buttock_l", "b_thigh_postlat_upper_l",
                               "b_thigh_postlat_lower_l", "b_calf_lower_l",
                               "b_leg_postlat_lower_l", "b_heel_l", "f_foot_lat_l",
                               "b_sole_lat_l"]))
    assert m.dermatomes[0].root.value == "S1"


def test_dermatome_scores_are_dice_matches_between_0_and_1() -> None:
    m = compute_metrics(marks(["f_dorsum_l"]))
    assert all(0 < d.score <= 1 for d in m.dermatomes)
    whole_l4 = [r.id for r in regions() if r.dermatomes.get("L4", 0) == 1.0]  # type: ignore[call-overload]
    assert compute_metrics(marks(whole_l4)).dermatomes[0].root.value == "L4"
