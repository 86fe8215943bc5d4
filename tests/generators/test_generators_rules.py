"""No double counting, uncertainty intervals, imaging flags and next tests."""

from __future__ import annotations

import math

import pytest
from generators_helpers import candidate, marks

from painmap.generators import parse_evidence, rank
from painmap.generators.compile import compile_evidence
from painmap.generators.concordance import asymptomatic_prevalence
from painmap.generators.uncertainty import intervals


def _counted(result: object, cid: str) -> list[str]:
    return [c.item for c in candidate(result, cid).contributions if c.counted]


def test_cluster_counts_once_and_its_parts_are_not_multiplied() -> None:
    result = rank(
        {
            "age": 54.4,
            "sex": "female",
            "pain_sides": ["left"],
            "findings": [
                {"item": "sij_provocation_cluster", "result": "positive", "side": "left"},
                {"item": "sij_thigh_thrust", "result": "positive", "side": "left"},
                {"item": "sij_distraction", "result": "positive", "side": "left"},
            ],
        }
    )
    assert _counted(result, "sij:left") == ["sij_provocation_cluster"]
    sij = candidate(result, "sij:left")
    assert sij.posterior == pytest.approx(0.4838, abs=0.001)
    parts = [c for c in sij.contributions if c.item != "sij_provocation_cluster"]
    assert all(not c.counted and "counted once" in (c.reason or "") for c in parts)


def test_parts_without_cluster_count_one_part_only() -> None:
    result = rank(
        {
            "age": 55,
            "sex": "female",
            "pain_sides": ["left"],
            "findings": [
                {"item": "sij_distraction", "result": "positive", "side": "left"},
                {"item": "sij_thigh_thrust", "result": "positive", "side": "left"},
            ],
        }
    )
    assert len(_counted(result, "sij:left")) == 1


def test_hiz_and_annular_fissure_are_one_finding() -> None:
    result = rank(
        {
            "age": 40,
            "sex": "male",
            "findings": [
                {"item": "mri_hiz", "result": "present", "level": "L5-S1"},
                {"item": "mri_annular_fissure", "result": "present", "level": "L5-S1"},
            ],
        }
    )
    assert _counted(result, "disc:L5-S1") == ["mri_annular_fissure"]


def test_explicit_finding_replaces_the_drawing_derived_one() -> None:
    result = rank(
        {
            "age": 40,
            "sex": "male",
            "drawing": marks("b_lumbar_l4_mid"),
            "findings": [{"item": "drawing_midline_pain", "result": "absent"}],
        }
    )
    disc = candidate(result, "disc:L4-L5")
    mid = [c for c in disc.contributions if c.item == "drawing_midline_pain"]
    assert len(mid) == 1 and mid[0].result == "absent" and mid[0].source == "finding"
    assert any("replaces" in n for n in result.notes)


def test_strongest_block_design_counts_for_one_joint() -> None:
    result = rank(
        {
            "age": 60,
            "sex": "female",
            "pain_sides": ["left"],
            "blocks": [
                {
                    "type": "medial_branch",
                    "levels": ["L4-L5"],
                    "side": "left",
                    "design": "single",
                    "relief_percent": 90,
                },
                {
                    "type": "medial_branch",
                    "levels": ["L4-L5"],
                    "side": "left",
                    "design": "placebo_controlled",
                    "relief_percent": 10,
                },
            ],
        }
    )
    assert _counted(result, "facet:L4-L5:left") == ["block_medial_branch_placebo_controlled"]


def test_intervals_are_deterministic_and_bracket_the_posterior() -> None:
    ev = {
        "age": 45,
        "sex": "male",
        "findings": [
            {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
            {"item": "centralization", "result": "positive"},
        ],
    }
    a, b = rank(ev), rank(ev)
    assert [c.interval for c in a.candidates] == [c.interval for c in b.candidates]
    for c in a.candidates:
        lo, hi = c.interval
        assert 0 <= lo <= hi <= 1
        assert lo - 0.02 <= c.posterior <= hi + 0.02


def test_wider_published_ci_gives_wider_interval() -> None:
    # Modic 1 LR+ CI 4.20-23.82 is wider (in log units) than the HIZ CI 2.27-4.25.
    def width(item: str) -> float:
        comp = compile_evidence(
            parse_evidence(
                {
                    "age": 40,
                    "sex": "male",
                    "findings": [{"item": item, "result": "present", "level": "L4-L5"}],
                }
            )
        )
        cand, _ = intervals(comp, seed=1)
        from painmap.generators.candidates import INDEX

        lo, hi = cand[INDEX["disc:L4-L5"]]
        return math.log((hi / (1 - hi)) / (lo / (1 - lo)))

    assert width("mri_modic1") > width("mri_hiz")


def test_asymptomatic_prevalence_interpolates_between_decades() -> None:
    assert asymptomatic_prevalence("disc_bulge", 45).value == pytest.approx(0.55)
    assert asymptomatic_prevalence("disc_bulge", 20).value == pytest.approx(0.30)
    assert asymptomatic_prevalence("disc_bulge", 15).value == pytest.approx(0.30)
    assert asymptomatic_prevalence("disc_bulge", 95).value == pytest.approx(0.84)
    assert asymptomatic_prevalence("disc_degeneration", 35).value == pytest.approx(0.60)
    assert asymptomatic_prevalence("disc_degeneration", 35).verified
    assert not asymptomatic_prevalence("disc_degeneration", 65).verified


def test_flags_show_prevalence_and_drawing_match() -> None:
    result = rank(
        {
            "age": 45,
            "sex": "male",
            "drawing": marks("f_leg_lat_upper_r", "f_leg_lat_lower_r", "f_dorsum_r"),
            "findings": [
                {
                    "item": "mri_disc_protrusion",
                    "result": "present",
                    "level": "L4-L5",
                    "side": "right",
                },
                {
                    "item": "mri_disc_protrusion",
                    "result": "present",
                    "level": "L5-S1",
                    "side": "right",
                },
                {"item": "mri_disc_bulge", "result": "present", "level": "L3-L4"},
            ],
        }
    )
    flags = {(f["finding"], f["level"]): f for f in result.flags}
    l45 = flags[("disc_protrusion", "L4-L5")]
    assert l45["asymptomatic_prevalence"] == pytest.approx(0.345)
    assert l45["matches_drawing"] is True  # traversing L5 root; L5 dermatome drawn
    assert flags[("disc_protrusion", "L5-S1")]["matches_drawing"] is False  # S1 not drawn
    bulge = flags[("disc_bulge", "L3-L4")]
    assert bulge["asymptomatic_prevalence"] == pytest.approx(0.55)
    assert bulge["matches_drawing"] is False  # no midline lumbar pain drawn
    # bulges and protrusions are shown, never counted
    assert all(
        not c.counted
        for c in candidate(result, "disc:L3-L4").contributions
        if c.item.startswith("mri_")
    )


def test_flags_without_drawing() -> None:
    result = rank(
        {
            "age": 30,
            "sex": "male",
            "findings": [{"item": "mri_modic1", "result": "present", "level": "L5-S1"}],
        }
    )
    (flag,) = result.flags
    assert flag["asymptomatic_prevalence"] == pytest.approx(0.06)
    assert flag["matches_drawing"] is None


def test_next_tests_exclude_done_tests_and_have_cost_classes() -> None:
    result = rank(
        {
            "age": 55,
            "sex": "female",
            "pain_sides": ["left"],
            "findings": [{"item": "sij_provocation_cluster", "result": "positive", "side": "left"}],
        }
    )
    assert result.next_tests
    assert all(t["item"] != "sij_provocation_cluster" for t in result.next_tests)
    gains = [t["expected_information_gain_bits"] for t in result.next_tests]
    assert gains == sorted(gains, reverse=True)
    assert all(g >= -1e-9 for g in gains)
    assert {t["cost_class"] for t in result.next_tests} <= {
        "exam",
        "imaging",
        "emg",
        "block",
        "questionnaire",
    }
    assert all(0 <= t["p_positive"] <= 1 for t in result.next_tests)


def test_next_tests_skip_a_group_already_counted() -> None:
    result = rank(
        {
            "age": 55,
            "sex": "female",
            "pain_sides": ["left"],
            "findings": [{"item": "mri_modic2", "result": "present", "level": "L4-L5"}],
        }
    )
    assert not any(t["item"] == "mri_modic1" and t["level"] == "L4-L5" for t in result.next_tests)


def test_next_test_gain_is_zero_for_uninformative_test() -> None:
    # thigh thrust after the full cluster adds nothing: it is not offered at all
    result = rank(
        {
            "age": 55,
            "sex": "female",
            "pain_sides": ["left"],
            "findings": [{"item": "sij_provocation_cluster", "result": "negative", "side": "left"}],
        }
    )
    assert not any(
        t["item"].startswith("sij_") and "block" not in t["item"] for t in result.next_tests
    )


def test_next_tests_name_the_best_test_of_each_cost_class() -> None:
    result = rank({"age": 50, "sex": "female", "pain_sides": ["left"]})
    best = [t for t in result.next_tests if t["best_in_cost_class"]]
    classes = [t["cost_class"] for t in best]
    assert len(classes) == len(set(classes))
    assert {"exam", "imaging", "emg", "block", "questionnaire"} <= set(classes)


def test_drawing_read_midline_pain_allows_for_drawing_error() -> None:
    drawn = rank(
        {"age": 40, "sex": "male", "drawing": marks("b_lumbar_l4_mid")},
        with_interval=False,
        with_next=False,
    )
    told = rank(
        {
            "age": 40,
            "sex": "male",
            "findings": [{"item": "drawing_midline_pain", "result": "present"}],
        },
        with_interval=False,
        with_next=False,
    )

    def lr(result: object) -> float:
        c = next(
            x
            for x in candidate(result, "disc:L4-L5").contributions
            if x.item == "drawing_midline_pain"
        )
        # midline pain does not say which disc: its published LR is spread over the
        # five levels (applied once to "any disc")
        assert c.spread_over == 5 and c.published_log10_lr is not None
        return float(10**c.published_log10_lr)

    sn, sp = 0.958 * 0.85 + 0.042 * 0.15, 0.855 * 0.85 + 0.145 * 0.15
    assert lr(drawn) == pytest.approx(sn / (1 - sp), rel=1e-6)  # about 3.3
    assert lr(told) == pytest.approx(0.958 / 0.145, rel=1e-3)  # about 6.6
    c = next(
        x for x in candidate(drawn, "disc:L4-L5").contributions if x.item == "drawing_midline_pain"
    )
    assert "scherrer2021" in c.citations and "drawing error" in c.evidence
