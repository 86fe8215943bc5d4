"""Published worked numbers and the auditable odds arithmetic."""

from __future__ import annotations

import math
from typing import Any

import pytest
from generators_helpers import candidate, marks
from hypothesis import given, settings
from hypothesis import strategies as st

from painmap.generators import rank
from painmap.generators.candidates import LEVEL_NAMES, ROOT_NAMES
from painmap.generators.inference import (
    cap_single,
    log10_odds,
    other_log10_lr,
    posterior_probability,
    probability,
)
from painmap.generators.priors import other_prior


def test_worked_example_pure_arithmetic() -> None:
    # Prior 18% (DePalma 2011 SIJ) and a positive SIJ cluster (LR+ 4.27, Laslett 2005):
    # odds 0.18/0.82 = 0.2195; x 4.27 = 0.9373; probability 0.4838.
    post = posterior_probability(0.18, [math.log10(4.27)])
    assert post == pytest.approx(0.4838, abs=0.0005)
    assert post == pytest.approx(0.48, abs=0.01)


def test_worked_example_through_rank() -> None:
    # At the DePalma cohort's mean age the SIJ prior is the published 18%; with pain on
    # the left only, the whole SIJ prior sits on the left joint.
    result = rank({
        "age": 54.4, "sex": "female", "pain_sides": ["left"],
        "findings": [{"item": "sij_provocation_cluster", "result": "positive", "side": "left"}],
    })
    sij = candidate(result, "sij:left")
    assert sij.prior == pytest.approx(0.18)
    assert sij.posterior == pytest.approx(0.4838, abs=0.0005)
    assert result.candidates[0].id == "sij:left"
    (contrib,) = [c for c in sij.contributions if c.counted]
    assert 10**contrib.log10_lr == pytest.approx(4.27)
    assert contrib.citations == ["laslett2005"]


def test_negative_cluster_rules_out() -> None:
    result = rank({
        "age": 54.4, "sex": "female", "pain_sides": ["left"],
        "findings": [{"item": "sij_provocation_cluster", "result": "negative", "side": "left"}],
    })
    # 0.2195 x 0.08 = 0.01756 -> 1.7%
    assert candidate(result, "sij:left").posterior == pytest.approx(0.01726, abs=0.0005)


def _audit(result: Any) -> None:
    for c in result.candidates:
        total = sum(x.log10_lr for x in c.contributions if x.counted)
        assert c.log10_posterior_odds == pytest.approx(c.log10_prior_odds + total, abs=1e-7)
        prior_odds = c.prior / (1 - c.prior)
        post_odds = c.posterior / (1 - c.posterior)
        assert post_odds == pytest.approx(prior_odds * 10**total, rel=1e-6)
        assert all(x.log10_lr == 0.0 for x in c.contributions if not x.counted)


FINDING = st.one_of(
    st.builds(lambda lv, r: {"item": "mri_modic1", "result": r, "level": lv},
              st.sampled_from(LEVEL_NAMES), st.sampled_from(["present", "absent"])),
    st.builds(lambda lv, r: {"item": "mri_hiz", "result": r, "level": lv},
              st.sampled_from(LEVEL_NAMES), st.sampled_from(["present", "absent"])),
    st.builds(lambda lv, r: {"item": "mri_annular_fissure", "result": r, "level": lv},
              st.sampled_from(LEVEL_NAMES), st.sampled_from(["present", "absent"])),
    st.builds(lambda s, r: {"item": "sij_provocation_cluster", "result": r, "side": s},
              st.sampled_from(["left", "right"]), st.sampled_from(["positive", "negative"])),
    st.builds(lambda s, r: {"item": "sij_thigh_thrust", "result": r, "side": s},
              st.sampled_from(["left", "right"]), st.sampled_from(["positive", "negative"])),
    st.builds(lambda r: {"item": "centralization", "result": r},
              st.sampled_from(["positive", "negative"])),
    st.builds(lambda rt, s: {"item": "emg_fibrillations", "result": "positive", "root": rt,
                             "side": s},
              st.sampled_from(ROOT_NAMES), st.sampled_from(["left", "right"])),
    st.builds(lambda r: {"item": "csi_high", "result": r},
              st.sampled_from(["positive", "negative"])),
)
BLOCK = st.builds(
    lambda lv, s, d, rel: {"type": "medial_branch", "levels": [lv], "side": s, "design": d,
                           "relief_percent": rel, "concordant_duration": True},
    st.sampled_from(LEVEL_NAMES), st.sampled_from(["left", "right"]),
    st.sampled_from(["single", "comparative", "placebo_controlled"]),
    st.integers(0, 100),
)


@settings(max_examples=40, deadline=None)
@given(
    age=st.integers(18, 95),
    findings=st.lists(FINDING, max_size=6, unique_by=lambda f: (f["item"], f.get("level"),
                                                                 f.get("side"), f.get("root"))),
    blocks=st.lists(BLOCK, max_size=2),
)
def test_posterior_odds_equal_prior_odds_times_printed_lrs(
    age: int, findings: list[dict[str, Any]], blocks: list[dict[str, Any]]
) -> None:
    result = rank({"age": age, "sex": "male", "findings": findings, "blocks": blocks},
                  with_interval=False, with_next=False)
    _audit(result)
    posts = [c.posterior for c in result.candidates]
    assert posts == sorted(posts, reverse=True)


def test_audit_with_drawing_and_blocks() -> None:
    result = rank({
        "age": 63, "sex": "female",
        "drawing": marks("b_lumbar_l4_para_l", "b_lumbar_l5_para_l", "b_buttock_l"),
        "findings": [{"item": "revel_criteria", "result": "positive", "side": "left"}],
        "blocks": [{"type": "medial_branch", "levels": ["L4-L5", "L5-S1"], "side": "left",
                    "design": "single", "relief_percent": 90}],
    })
    _audit(result)


def test_candidates_are_not_normalised_and_other_is_explicit() -> None:
    result = rank({"age": 40, "sex": "male", "findings": []}, with_interval=False)
    ids = [c.id for c in result.candidates]
    assert "other" in ids
    assert candidate(result, "other").posterior == pytest.approx(other_prior())
    # independent hypotheses: the posteriors of all candidates need not sum to 1
    assert sum(c.posterior for c in result.candidates) > 1.0


def test_other_mass_falls_when_a_candidate_rises() -> None:
    base = candidate(rank({"age": 50, "sex": "male"}, with_interval=False), "other").posterior
    result = rank({"age": 50, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L5-S1"}]}, with_interval=False)
    other = candidate(result, "other")
    assert other.posterior < base
    # other's contribution is log10(prod(1 - post) / prod(1 - prior)) over ranked candidates
    ranked = [c for c in result.candidates if c.id != "other"]
    expected = sum(math.log10((1 - c.posterior) / (1 - c.prior)) for c in ranked)
    assert other.contributions[0].log10_lr == pytest.approx(expected, abs=1e-6)


def test_vector_helpers() -> None:
    assert float(probability(log10_odds(0.3))) == pytest.approx(0.3)
    assert float(log10_odds(0.0)) == -math.inf
    assert float(probability(-math.inf)) == 0.0
    assert float(other_log10_lr([0.1, 0.0], [0.5, 0.0])) == pytest.approx(math.log10(0.5 / 0.9))


def test_single_block_cap_function() -> None:
    # prior 0.3, ceiling 0.31: room = log10odds(0.31) - log10odds(0.3)
    room = float(log10_odds(0.31) - log10_odds(0.3))
    assert float(cap_single(0.3, 1.0, 0.31)) == pytest.approx(room)
    # already above the ceiling: a positive single block adds nothing
    assert float(cap_single(0.6, 1.0, 0.31)) == 0.0
    # a negative single block is never capped
    assert float(cap_single(0.3, -0.8, 0.31)) == -0.8
    # the SIJ ceiling (0.526) is cut to 0.5: never above 0.5
    assert float(cap_single(0.2, 5.0, 0.526)) == pytest.approx(float(-log10_odds(0.2)))


@settings(max_examples=25, deadline=None)
@given(
    ages=st.lists(st.integers(18, 95), min_size=1, max_size=4),
    findings=st.lists(FINDING, max_size=5, unique_by=lambda f: (f["item"], f.get("level"),
                                                                f.get("side"), f.get("root"))),
    blocks=st.lists(BLOCK, max_size=2),
    sides=st.sampled_from([None, ["left"], ["right"], ["left", "right"]]),
)
def test_batch_matrix_equals_per_patient_rank(
    ages: list[int], findings: list[dict[str, Any]], blocks: list[dict[str, Any]],
    sides: list[str] | None,
) -> None:
    from painmap.generators import COLUMNS, parse_evidence, rank_batch

    evidences = [parse_evidence({"age": a, "sex": "female", "pain_sides": sides,
                                 "findings": findings[: k + 1], "blocks": blocks})
                 for k, a in enumerate(ages)]
    matrix = rank_batch(evidences)
    for row, ev in enumerate(evidences):
        by_id = {c.id: c.posterior for c in
                 rank(ev, with_interval=False, with_next=False).candidates}
        expected = [by_id.get(cid, 0.0) for cid in COLUMNS]
        assert list(matrix[row]) == pytest.approx(expected, abs=1e-9)


def test_explain_shows_the_capped_single_block() -> None:
    from painmap.generators import explain

    result = rank({"age": 70, "sex": "male", "pain_sides": ["left"],
                   "blocks": [{"type": "sij_intraarticular", "side": "left",
                               "design": "single", "relief_percent": 100}]})
    text = explain(result, top=40)
    assert "sij:left: 50.0%" in text
    assert "capped single block" in text
    assert "[maigne1996]" in text and "Maigne JY" in text


def test_structure_summary_keeps_the_published_prior() -> None:
    from painmap.generators.priors import structure_prior_at_age

    result = rank({"age": 54.4, "sex": "female", "pain_sides": ["left"], "findings": [
        {"item": "sij_provocation_cluster", "result": "positive", "side": "left"}]},
        with_interval=False)
    by = {r["structure"]: r for r in result.structures}
    for name in ("disc", "facet", "root", "sij", "myofascial", "nociplastic"):
        assert by[name]["prior"] == pytest.approx(float(structure_prior_at_age(name, 54.4)))
    assert by["sij"]["posterior"] == pytest.approx(0.4838, abs=0.0005)
    assert result.structures[0]["structure"] == "sij"
