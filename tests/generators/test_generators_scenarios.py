"""Scenarios a spine clinician would recognise."""

from __future__ import annotations

import math

import pytest
from generators_helpers import candidate, marks

from painmap.generators import rank


def test_modic1_and_centralisation_rank_that_disc_first() -> None:
    result = rank({"age": 45, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
        {"item": "centralization", "result": "positive"},
    ]})
    assert result.top().id == "disc:L4-L5"
    assert result.top().posterior > 0.7
    # centralisation applies to every disc, Modic 1 only to L4-L5
    assert candidate(result, "disc:L4-L5").posterior > candidate(result, "disc:L5-S1").posterior


def test_modic1_centralisation_with_midline_drawing() -> None:
    result = rank({"age": 38, "sex": "female",
                   "drawing": marks("b_lumbar_l4_mid", "b_lumbar_l5_mid"),
                   "findings": [{"item": "mri_modic1", "result": "present", "level": "L4-L5"},
                                {"item": "centralization", "result": "positive"}]})
    assert result.top().id == "disc:L4-L5"
    items = {c.item for c in result.top().contributions if c.counted}
    assert items == {"mri_modic1", "centralization", "drawing_midline_pain"}


@pytest.mark.parametrize("side", ["left", "right"])
def test_sij_cluster_with_unilateral_buttock_and_groin_pain_no_lumbar(side: str) -> None:
    s = side[0]
    result = rank({
        "age": 58, "sex": "female",
        "drawing": marks(f"b_buttock_{s}", f"f_groin_{s}", f"b_sij_{s}"),
        "findings": [{"item": "sij_provocation_cluster", "result": "positive", "side": side}],
    })
    assert result.top().id == f"sij:{side}"
    assert result.candidate_sides == [side]
    top = result.top()
    counted = {c.item for c in top.contributions if c.counted}
    assert counted == {"sij_provocation_cluster", "drawing_unilateral_buttock_no_lumbar"}
    # midline-absent is the same measurement as "buttock pain without lumbar pain"
    midline = next(c for c in top.contributions if c.item == "drawing_midline_pain")
    assert not midline.counted and "group lumbar_location" in (midline.reason or "")
    groin = next(c for c in top.contributions if c.item == "drawing_groin_pain")
    assert not groin.counted  # no published accuracy: shown, never counted


def test_sij_scenario_without_drawing_uses_explicit_drawing_findings() -> None:
    result = rank({"age": 58, "sex": "female", "pain_sides": ["right"], "findings": [
        {"item": "sij_provocation_cluster", "result": "positive", "side": "right"},
        {"item": "drawing_unilateral_buttock_no_lumbar", "result": "present", "side": "right"},
        {"item": "drawing_groin_pain", "result": "present", "side": "right"},
        {"item": "drawing_midline_pain", "result": "absent"},
    ]})
    assert result.top().id == "sij:right"


def test_emg_l5_lateral_leg_dorsum_foot_and_slr_rank_root_l5_first() -> None:
    result = rank({
        "age": 47, "sex": "male",
        "drawing": marks("f_leg_lat_upper_r", "f_leg_lat_lower_r", "f_dorsum_r",
                         "b_lumbar_l5_para_r"),
        "findings": [
            {"item": "emg_fibrillations", "result": "positive", "root": "L5", "side": "right"},
            {"item": "slr", "result": "positive", "side": "right"},
        ],
    })
    assert result.top().id == "root:L5:right"
    counted = {c.item for c in result.top().contributions if c.counted}
    assert {"emg_fibrillations", "slr", "drawing_dermatomal_match"} <= counted
    s1 = candidate(result, "root:S1:right")
    assert result.top().posterior > s1.posterior


def test_one_single_medial_branch_block_never_confirms() -> None:
    result = rank({"age": 66, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "medial_branch", "levels": ["L4-L5"], "side": "left", "design": "single",
         "relief_percent": 80},
    ]})
    facet = candidate(result, "facet:L4-L5:left")
    assert facet.posterior < 0.5
    assert facet.posterior > facet.prior
    assert facet.interval[1] < 0.5


def test_single_block_cap_is_visible_when_prior_is_high() -> None:
    # Patient with facet-favouring drawing evidence before the block: the single block
    # can add at most up to the Schwarzer 1994 PPV (0.31) from the prior.
    result = rank({"age": 70, "sex": "male", "pain_sides": ["left"],
                   "findings": [{"item": "drawing_midline_pain", "result": "absent"}],
                   "blocks": [{"type": "medial_branch", "levels": ["L4-L5"], "side": "left",
                               "design": "single", "relief_percent": 100}]})
    facet = candidate(result, "facet:L4-L5:left")
    block = next(c for c in facet.contributions if c.item == "block_medial_branch_single")
    assert block.counted
    odds_prior_plus_block = facet.prior / (1 - facet.prior) * 10**block.log10_lr
    assert odds_prior_plus_block / (1 + odds_prior_plus_block) <= 0.31 + 1e-9
    if block.uncapped_log10_lr is not None:
        assert block.log10_lr < block.uncapped_log10_lr


def test_single_sij_block_is_capped_at_one_half() -> None:
    # age 70, left-sided pain: SIJ prior 26.7%; a single SIJ block (LR+ 0.9 / 0.2 = 4.5)
    # would give 62% uncapped; the cap keeps it at 50% (never confirms alone)
    result = rank({"age": 70, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "sij_intraarticular", "side": "left", "design": "single",
         "relief_percent": 90}]})
    sij = candidate(result, "sij:left")
    block = next(c for c in sij.contributions if c.counted)
    assert block.uncapped_log10_lr == pytest.approx(math.log10(4.5))
    assert block.log10_lr < block.uncapped_log10_lr
    assert sij.posterior == pytest.approx(0.5)
    assert "never confirms" in (block.reason or "")
    # with a positive cluster on top, the SIJ can be confirmed
    both = rank({"age": 70, "sex": "female", "pain_sides": ["left"],
                 "findings": [{"item": "sij_provocation_cluster", "result": "positive",
                               "side": "left"}],
                 "blocks": [{"type": "sij_intraarticular", "side": "left",
                             "design": "single", "relief_percent": 90}]})
    assert candidate(both, "sij:left").posterior > 0.8


def test_comparative_blocks_can_confirm_with_other_evidence() -> None:
    result = rank({"age": 66, "sex": "female", "pain_sides": ["left"],
                   "findings": [{"item": "drawing_midline_pain", "result": "absent"}],
                   "blocks": [{"type": "medial_branch", "levels": ["L4-L5"], "side": "left",
                               "design": "placebo_controlled", "relief_percent": 90}]})
    assert result.top().id == "facet:L4-L5:left"
    assert result.top().posterior > 0.5


def test_comparative_block_with_discordant_duration_counts_as_negative() -> None:
    result = rank({"age": 60, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "medial_branch", "levels": ["L4-L5"], "side": "left", "design": "comparative",
         "relief_percent": 90, "concordant_duration": False}]})
    facet = candidate(result, "facet:L4-L5:left")
    assert facet.posterior < facet.prior


def test_comparative_block_without_duration_is_counted_as_single() -> None:
    result = rank({"age": 60, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "medial_branch", "levels": ["L4-L5"], "side": "left", "design": "comparative",
         "relief_percent": 90}]})
    facet = candidate(result, "facet:L4-L5:left")
    assert any(c.item == "block_medial_branch_single" for c in facet.contributions)
    assert any("counted as a single block" in n for n in result.notes)


def test_csi_questionnaire_raises_nociplastic() -> None:
    low = rank({"age": 40, "sex": "female", "instruments": {"csi": [0] * 25}})
    high = rank({"age": 40, "sex": "female", "instruments": {"csi": [3] * 25}})
    assert candidate(high, "nociplastic").posterior > candidate(low, "nociplastic").posterior
    assert any(c.item == "csi_high" and c.result == "positive"
               for c in candidate(high, "nociplastic").contributions)


def test_paindetect_questionnaire_applies_to_roots() -> None:
    result = rank({"age": 40, "sex": "female", "pain_sides": ["left"], "instruments": {
        "paindetect": {"sensory": [4] * 7, "course": "attacks_pain_between",
                       "radiating": True}}})
    root = candidate(result, "root:L5:left")
    assert any(c.item == "paindetect_likely" and c.result == "positive" and c.counted
               for c in root.contributions)
    assert root.posterior > root.prior


def test_hip_injection_moves_the_hip_differential() -> None:
    result = rank({"age": 68, "sex": "male", "drawing": marks("f_groin_r", "b_buttock_r"),
                   "findings": [{"item": "hip_intraarticular_injection", "result": "positive",
                                 "side": "right"}]})
    hip = candidate(result, "hip:right")
    # prior 3.2% -> odds 0.033 x 18.7 = 0.62 -> 38%
    assert hip.posterior == pytest.approx(0.382, abs=0.005)
