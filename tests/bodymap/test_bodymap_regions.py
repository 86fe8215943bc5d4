"""The region table: anatomy coverage, sides, area fractions, WPI, low back, dermatomes."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from painmap.bodymap import CHART, WPI_SITES, View, region, regions
from painmap.bodymap.chart_build import LUND_BROWDER, build, chart_svg_text
from painmap.bodymap.raster import label_image
from painmap.bodymap.regions import DERMATOME_ROOTS, region_table
from painmap.core.errors import ValidationFailure

ISSUE_WPI = ["jaw_l", "jaw_r", "shoulder_l", "shoulder_r", "upper_arm_l", "upper_arm_r",
             "lower_arm_l", "lower_arm_r", "hip_l", "hip_r", "upper_leg_l", "upper_leg_r",
             "lower_leg_l", "lower_leg_r", "neck", "upper_back", "lower_back", "chest",
             "abdomen"]


def _data(name: str) -> str:
    return resources.files("painmap.bodymap").joinpath("data", name).read_text("utf-8")


def test_at_least_150_regions_with_unique_ids() -> None:
    ids = [r.id for r in regions()]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids)
    assert {r.view for r in regions()} == {View.FRONT, View.BACK}


@pytest.mark.parametrize("stem", [
    # lumbar segments (paraspinal each side + midline), sacral/SIJ, buttock, groin, hip
    "b_lumbar_l1_para", "b_lumbar_l2_para", "b_lumbar_l3_para", "b_lumbar_l4_para",
    "b_lumbar_l5_para", "b_sij", "b_buttock", "b_buttock_upper_outer", "f_groin", "f_hip_lat",
    "f_hip_ant", "b_hip_post",
    # four faces of the thigh, the knee, four faces of the leg
    "f_thigh_ant_upper", "f_thigh_lat_upper", "f_thigh_med_upper", "b_thigh_post_upper",
    "f_knee_ant", "b_popliteal", "f_leg_ant_upper", "f_leg_lat_upper", "f_leg_med_upper",
    "b_calf_upper",
    # foot: dorsum, sole, heel, lateral and medial borders
    "f_dorsum", "b_sole_lat", "b_sole_med", "b_heel", "f_foot_lat", "f_foot_med",
])
def test_required_anatomy_exists_on_both_sides(stem: str) -> None:
    left, right = region(f"{stem}_l"), region(f"{stem}_r")
    assert left.side.value == "left" and right.side.value == "right"
    assert left.view == right.view


@pytest.mark.parametrize("rid", ["b_lumbar_l1_mid", "b_lumbar_l3_mid", "b_lumbar_l5_mid",
                                 "b_sacrum", "b_coccyx"])
def test_midline_regions(rid: str) -> None:
    assert region(rid).side.value == "midline"


def test_area_fractions_are_positive_and_sum_to_one() -> None:
    fr = np.array([r.area_fraction for r in regions()])
    assert (fr > 0).all()
    assert fr.sum() == pytest.approx(1.0, abs=1e-9)


def test_area_fractions_follow_lund_browder_groups() -> None:
    tot: dict[str, float] = {}
    for r in regions():
        tot[r.body_surface_group] = tot.get(r.body_surface_group, 0.0) + r.area_fraction
    for group, pct in LUND_BROWDER.items():
        assert tot[group] == pytest.approx(pct / 100, abs=1e-5)
    assert sum(LUND_BROWDER.values()) == pytest.approx(100.0)


def test_wpi_site_ids_exactly_as_in_the_issue() -> None:
    assert list(WPI_SITES) == ISSUE_WPI
    used = {r.wpi19 for r in regions() if r.wpi19 is not None}
    assert used == set(ISSUE_WPI)
    for r in regions():
        if r.wpi19 and r.wpi19.endswith(("_l", "_r")):
            assert r.side.value[0] == r.wpi19[-1], r.id


def test_wpi_excludes_head_hands_and_feet() -> None:
    for r in regions():
        if r.segment in ("hand", "ankle_foot") or r.id.startswith(("f_forehead", "f_face",
                                                                   "b_scalp", "b_occiput")):
            assert r.wpi19 is None, r.id
    assert region("f_jaw_l").wpi19 == "jaw_l"
    assert region("b_buttock_r").wpi19 == "hip_r"
    assert region("b_lumbar_l4_mid").wpi19 == "lower_back"


def test_low_back_is_the_consensus_area() -> None:
    """Back view only, between the 12th ribs (y=385) and the gluteal folds (y=560)."""
    for r in regions():
        poly = np.asarray(CHART.views[r.view].regions[r.id])
        if r.low_back:
            assert r.view == View.BACK
            assert poly[:, 1].min() >= 385 - 0.5 and poly[:, 1].max() <= 560 + 0.5, r.id
    for rid in ("b_lumbar_l1_para_l", "b_lumbar_l5_mid", "b_sij_r", "b_sacrum",
                "b_buttock_l", "b_flank_lower_r"):
        assert region(rid).low_back
    for rid in ("b_thoracic_para_l", "b_thigh_post_upper_l", "b_hip_post_l", "f_groin_l"):
        assert not region(rid).low_back


def test_below_knee_means_leg_ankle_or_foot() -> None:
    for r in regions():
        assert r.below_knee == (r.segment in ("leg", "ankle_foot")), r.id
    assert not region("f_knee_ant_l").below_knee


def test_sides_follow_the_views() -> None:
    """Front: patient's right on the viewer's left; back: patient's left on the left."""
    def cx(rid: str) -> float:
        r = region(rid)
        return float(np.asarray(CHART.views[r.view].regions[rid])[:, 0].mean())

    assert cx("f_thigh_ant_upper_r") < 200 < cx("f_thigh_ant_upper_l")
    assert cx("b_thigh_post_upper_l") < 200 < cx("b_thigh_post_upper_r")
    # lateral faces lie on the outer edge of each limb
    assert cx("f_leg_lat_upper_r") < cx("f_leg_med_upper_r")
    assert cx("f_leg_lat_upper_l") > cx("f_leg_med_upper_l")


def test_dermatome_weights_are_shares_with_sources() -> None:
    for r in regions():
        total = sum(r.dermatomes.values())
        assert 0 <= total <= 1 + 1e-9, r.id
        if r.dermatomes:
            assert r.dermatome_source in ("textbook", "cluneal"), r.id
    doc = json.loads(_data("dermatomes.json"))
    kinds = {r.id[:-2] if r.id.endswith(("_l", "_r")) else r.id for r in regions()}
    assert set(doc["weights"]) <= kinds
    meta = doc["meta"]
    assert "Lee MWL" in meta["variability"] and "2008" in meta["variability"]
    assert "Murphy" in meta["non_dermatomal"] and "64.1%" in meta["non_dermatomal"]
    for src in {e["source"] for e in doc["weights"].values()}:
        assert src in meta["sources"]
    # every root L1-S2 has a territory
    for root in DERMATOME_ROOTS:
        assert any(r.dermatomes.get(root, 0) > 0 for r in regions()), root


def test_textbook_dermatome_anchors() -> None:
    assert max(region("f_dorsum_l").dermatomes, key=region("f_dorsum_l").dermatomes.get
               ).value == "L5"
    for rid in ("b_heel_r", "b_sole_lat_r", "f_foot_lat_r"):
        d = region(rid).dermatomes
        assert max(d, key=d.get).value == "S1", rid  # type: ignore[arg-type]
    d = region("f_leg_med_lower_l").dermatomes
    assert max(d, key=d.get).value == "L4"  # type: ignore[arg-type]
    d = region("f_groin_l").dermatomes
    assert max(d, key=d.get).value == "L1"  # type: ignore[arg-type]
    assert region("b_lumbar_l4_para_l").dermatomes == {}


def test_committed_data_equals_the_build_script_output() -> None:
    chart, table = build(json.loads(_data("dermatomes.json")))
    assert json.loads(_data("regions.json")) == json.loads(json.dumps(table))
    assert json.loads(_data("chart.json")) == json.loads(json.dumps(chart))
    for view in ("front", "back"):
        assert _data(f"chart_{view}.svg") == chart_svg_text(chart, table, view)


def test_every_region_has_pixels_in_the_canonical_raster() -> None:
    lab = label_image()
    assert lab.region_pixels.min() >= 15
    # raster area agrees with polygon area for regions away from overlaps
    step2 = lab.step ** 2
    for r in regions():
        poly = np.asarray(CHART.views[r.view].regions[r.id])
        x, y = poly[:, 0], poly[:, 1]
        area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
        px = lab.region_pixels[[rr.id for rr in regions()].index(r.id)] * step2
        if r.segment not in ("shoulder", "upper_arm", "chest", "upper_back"):
            assert px == pytest.approx(area, rel=0.35), r.id


def test_region_lookup_errors_name_the_cli() -> None:
    with pytest.raises(ValidationFailure, match="painmap bodymap regions"):
        region("nope")


def test_table_meta_cites_sources() -> None:
    meta = region_table()["meta"]
    assert "Dionne" in meta["low_back"]
    assert "Wolfe" in meta["wpi19"]
    assert "Lund" in meta["area_fraction_source"]
