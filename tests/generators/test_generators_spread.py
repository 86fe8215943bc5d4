"""A finding that cannot tell locations apart is counted once for the structure.

Centralisation speaks about "a disc", not about one level; a sign without a side
speaks about both sides. Its published LR is applied once to the probability that at
least one of those locations is a source, and each location gets the equivalent
(spread) LR, so the per-candidate arithmetic stays auditable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from generators_helpers import candidate
from hypothesis import given, settings
from hypothesis import strategies as st

from painmap.generators import rank, rank_batch
from painmap.generators.batch import COLUMNS
from painmap.generators.candidates import INDEX, LEVEL_NAMES, ROOT_NAMES
from painmap.generators.compile import compile_evidence
from painmap.generators.evidence import parse_evidence
from painmap.generators.inference import binary_entropy_bits, update
from painmap.generators.knowledge import item_index
from painmap.generators.next_test import _sn_sp, next_tests
from painmap.generators.priors import (
    location_prior_scalar,
    other_prior,
    prior_vector,
    structure_prior_at_age,
)
from painmap.generators.spread import (
    spread_log10_lr,
    spread_log10_lr_scalar,
    spread_log10_lr_unequal,
)
from painmap.generators.uncertainty import evidence_arrays


def _odds_update(p: float, lr: float) -> float:
    odds = p / (1.0 - p) * lr
    return odds / (1.0 + odds)


def _lr(item: str, positive: bool, target: int = 0) -> float:
    acc = item_index()[item].targets[target].accuracy
    assert acc is not None
    value = acc.lr_pos if positive else acc.lr_neg
    assert value is not None
    return float(value)


def _exact(evidence: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Unrounded priors and posteriors of every candidate."""
    compiled = compile_evidence(parse_evidence(evidence))
    prior = prior_vector(compiled.age, compiled.side_mask)
    posterior, _ = update(prior, *evidence_arrays(compiled))
    return prior, posterior


def _any(values: np.ndarray, ids: list[str]) -> float:
    return float(1.0 - np.prod([1.0 - values[INDEX[i]] for i in ids]))


DISCS = [f"disc:{lv}" for lv in LEVEL_NAMES]


@pytest.mark.parametrize(("result", "positive"), [("positive", True), ("negative", False)])
def test_centralisation_updates_any_disc_once(result: str, positive: bool) -> None:
    evidence = {"age": 45, "sex": "male",
                "findings": [{"item": "centralization", "result": result}]}
    prior, posterior = _exact(evidence)
    disc_prior = float(structure_prior_at_age("disc", 45))
    assert _any(prior, DISCS) == pytest.approx(disc_prior, abs=1e-12)
    expected = _odds_update(disc_prior, _lr("centralization", positive))
    assert _any(posterior, DISCS) == pytest.approx(expected, abs=1e-9)
    # the printed result agrees (posteriors are printed to 9 decimals)
    ranked = rank(evidence, with_interval=False, with_next=False)
    disc = next(r for r in ranked.structures if r["structure"] == "disc")
    assert disc["posterior"] == pytest.approx(expected, abs=1e-8)
    # every level gets the same spread LR, with the published LR beside it
    for cid in DISCS:
        (c,) = [x for x in candidate(ranked, cid).contributions if x.counted]
        assert c.spread_over == 5
        assert 10**c.published_log10_lr == pytest.approx(_lr("centralization", positive))
        assert abs(c.log10_lr) < abs(c.published_log10_lr)
        assert "spread over 5 locations" in (c.reason or "")


def test_the_reported_example_no_longer_counts_centralisation_five_times() -> None:
    result = rank({"age": 45, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
        {"item": "centralization", "result": "positive"}]}, with_interval=False)
    disc = next(r for r in result.structures if r["structure"] == "disc")
    # previously 97.7% (centralisation counted once per level)
    assert disc["posterior"] < 0.96
    assert candidate(result, "disc:L1-L2").posterior == pytest.approx(
        1 - (1 - _odds_update(disc["prior"], 3.06)) ** 0.2, abs=1e-8)
    assert result.top().id == "disc:L4-L5"


@pytest.mark.parametrize(("result", "positive"), [("positive", True), ("negative", False)])
def test_a_sign_without_a_side_updates_any_side_once(result: str, positive: bool) -> None:
    evidence = {"age": 60, "sex": "female",
                "findings": [{"item": "sij_provocation_cluster", "result": result}]}
    prior, posterior = _exact(evidence)
    sij_prior = float(structure_prior_at_age("sij", 60))
    sides = ["sij:left", "sij:right"]
    assert _any(prior, sides) == pytest.approx(sij_prior, abs=1e-12)
    expected = _odds_update(sij_prior, _lr("sij_provocation_cluster", positive))
    assert _any(posterior, sides) == pytest.approx(expected, abs=1e-9)


def test_a_root_finding_without_a_side_updates_that_root_once() -> None:
    evidence = {"age": 50, "sex": "male", "findings": [
        {"item": "emg_fibrillations", "result": "positive", "root": "L5"}]}
    prior, posterior = _exact(evidence)
    pair = ["root:L5:left", "root:L5:right"]
    q = _any(prior, pair)
    assert _any(posterior, pair) == pytest.approx(
        _odds_update(q, _lr("emg_fibrillations", True)), abs=1e-9)
    # other roots are untouched
    assert posterior[INDEX["root:S1:left"]] == pytest.approx(prior[INDEX["root:S1:left"]])


def test_a_block_of_two_levels_updates_those_joints_once() -> None:
    evidence = {"age": 60, "sex": "female", "pain_sides": ["left"], "blocks": [
        {"type": "medial_branch", "levels": ["L4-L5", "L5-S1"], "side": "left",
         "design": "placebo_controlled", "relief_percent": 90}]}
    prior, posterior = _exact(evidence)
    joints = ["facet:L4-L5:left", "facet:L5-S1:left"]
    q = _any(prior, joints)
    lr = _lr("block_medial_branch_placebo_controlled", True)
    assert _any(posterior, joints) == pytest.approx(_odds_update(q, lr), abs=1e-9)
    assert posterior[INDEX["facet:L3-L4:left"]] == pytest.approx(prior[INDEX["facet:L3-L4:left"]])


def test_a_localising_finding_keeps_its_full_lr_at_its_level_only() -> None:
    result = rank({"age": 45, "sex": "male", "findings": [
        {"item": "mri_modic1", "result": "present", "level": "L4-L5"},
        {"item": "centralization", "result": "positive"}]}, with_interval=False)
    (modic,) = [x for x in candidate(result, "disc:L4-L5").contributions
                if x.item == "mri_modic1"]
    assert modic.counted and 10**modic.log10_lr == pytest.approx(10.0)
    assert modic.published_log10_lr is None and modic.spread_over is None
    for cid in DISCS:
        if cid != "disc:L4-L5":
            assert all(x.item != "mri_modic1" for x in candidate(result, cid).contributions)
    # a side-specific sign keeps its full LR too
    sided = rank({"age": 54.4, "sex": "female", "findings": [
        {"item": "sij_provocation_cluster", "result": "positive", "side": "left"}]},
        with_interval=False, with_next=False)
    (c,) = [x for x in candidate(sided, "sij:left").contributions if x.counted]
    assert 10**c.log10_lr == pytest.approx(4.27) and c.spread_over is None
    assert all(not x.counted for x in candidate(sided, "sij:right").contributions)


def test_questionnaire_result_for_every_root_counts_once_for_the_roots() -> None:
    evidence = {"age": 40, "sex": "male", "pain_sides": ["right"],
                "findings": [{"item": "paindetect_likely", "result": "positive"}]}
    prior, posterior = _exact(evidence)
    roots = [f"root:{r}:right" for r in ROOT_NAMES]
    assert _any(prior, roots) == pytest.approx(float(structure_prior_at_age("root", 40)))
    assert _any(posterior, roots) == pytest.approx(
        _odds_update(_any(prior, roots), _lr("paindetect_likely", True)), abs=1e-9)


def test_spread_formula() -> None:
    # k = 1: the published LR
    assert float(spread_log10_lr(math.log10(3.06), 0.2, 1)) == math.log10(3.06)
    # equal priors: p' = 1 - (1 - Q')^(1/k)
    p, k, lr = 0.1, 5, 4.0
    q = 1 - (1 - p) ** k
    p_new = 1 - (1 - _odds_update(q, lr)) ** (1 / k)
    expected = math.log10(p_new / (1 - p_new) / (p / (1 - p)))
    assert float(spread_log10_lr(math.log10(lr), p, k)) == pytest.approx(expected, abs=1e-12)
    assert spread_log10_lr_unequal(math.log10(lr), [p] * k) == pytest.approx(expected)
    assert spread_log10_lr_scalar(math.log10(lr), p, k) == pytest.approx(expected, abs=1e-12)
    assert spread_log10_lr_scalar(-1.2, p, 1) == -1.2
    # unequal priors: one common multiplier, any-of-k updated once
    priors = [0.05, 0.2, 0.3]
    for lr in (0.08, 0.66, 3.06, 19.0):
        eff = 10 ** spread_log10_lr_unequal(math.log10(lr), priors)
        after = [_odds_update(pi, eff) for pi in priors]
        q = 1 - np.prod([1 - pi for pi in priors])
        q_after = 1 - np.prod([1 - pi for pi in after])
        assert q_after == pytest.approx(_odds_update(q, lr), abs=1e-12)
        assert min(lr, 1.0) <= eff <= max(lr, 1.0)


def test_interval_contains_the_spread_posterior() -> None:
    result = rank({"age": 45, "sex": "male",
                   "findings": [{"item": "centralization", "result": "positive"}]},
                  with_next=False)
    for cid in DISCS:
        c = candidate(result, cid)
        assert c.interval[0] < c.posterior < c.interval[1]


def _entropy(result: Any) -> float:
    return float(sum(binary_entropy_bits(c.posterior) for c in result.candidates))


def test_next_test_gain_uses_the_spread_lr() -> None:
    base: dict[str, Any] = {"age": 45, "sex": "male", "pain_sides": ["left"]}
    now = rank(base, with_interval=False, with_next=False)
    compiled = compile_evidence(parse_evidence(base))
    prior = prior_vector(compiled.age, compiled.side_mask)
    tests = next_tests(compiled, prior, *evidence_arrays(compiled), other_prior(), limit=500)
    (row,) = [t for t in tests if t["item"] == "centralization"]
    pos = rank({**base, "findings": [{"item": "centralization", "result": "positive"}]},
               with_interval=False, with_next=False)
    neg = rank({**base, "findings": [{"item": "centralization", "result": "negative"}]},
               with_interval=False, with_next=False)
    acc = item_index()["centralization"].targets[0].accuracy
    assert acc is not None
    pair = _sn_sp(acc)
    assert pair is not None
    sn, sp = pair
    p_disc = candidate(now, "disc:L4-L5").posterior
    p_pos = p_disc * sn + (1 - p_disc) * (1 - sp)
    gain = _entropy(now) - (p_pos * _entropy(pos) + (1 - p_pos) * _entropy(neg))
    assert row["expected_information_gain_bits"] == pytest.approx(gain, abs=2e-5)
    assert row["p_positive"] == pytest.approx(p_pos, abs=1e-4)


FINDING = st.one_of(
    st.builds(lambda r: {"item": "centralization", "result": r},
              st.sampled_from(["positive", "negative"])),
    st.builds(lambda r: {"item": "sij_provocation_cluster", "result": r},
              st.sampled_from(["positive", "negative"])),
    st.builds(lambda rt, r: {"item": "emg_fibrillations", "result": r, "root": rt},
              st.sampled_from(ROOT_NAMES), st.sampled_from(["positive", "negative"])),
    st.builds(lambda r: {"item": "slr", "result": r}, st.sampled_from(["positive", "negative"])),
    st.builds(lambda r: {"item": "paindetect_likely", "result": r},
              st.sampled_from(["positive", "negative"])),
    st.builds(lambda r: {"item": "drawing_midline_pain", "result": r},
              st.sampled_from(["present", "absent"])),
    st.builds(lambda lv, r: {"item": "mri_modic1", "result": r, "level": lv},
              st.sampled_from(LEVEL_NAMES), st.sampled_from(["present", "absent"])),
    st.builds(lambda lv: {"item": "revel_criteria", "result": "positive", "level": lv},
              st.sampled_from(LEVEL_NAMES)),
)
BLOCK = st.builds(
    lambda lvs, d, rel: {"type": "medial_branch", "levels": lvs, "design": d,
                         "relief_percent": rel, "concordant_duration": True},
    st.lists(st.sampled_from(LEVEL_NAMES), min_size=1, max_size=2, unique=True),
    st.sampled_from(["single", "comparative", "placebo_controlled"]),
    st.integers(0, 100),
)


@settings(max_examples=25, deadline=None)
@given(
    age=st.integers(18, 95),
    sides=st.sampled_from([[], ["left"], ["right"], ["left", "right"]]),
    findings=st.lists(FINDING, max_size=5, unique_by=lambda f: f["item"]),
    blocks=st.lists(BLOCK, max_size=1),
)
def test_batch_equals_single_with_spread_findings(
    age: int, sides: list[str], findings: list[dict[str, Any]], blocks: list[dict[str, Any]]
) -> None:
    evidence: dict[str, Any] = {"age": age, "sex": "female", "findings": findings,
                                "blocks": blocks}
    if sides:
        evidence["pain_sides"] = sides
    ev = parse_evidence(evidence)
    matrix = rank_batch([ev])
    result = rank(ev, with_interval=False, with_next=False)
    by_id = {c.id: c.posterior for c in result.candidates}
    for j, cid in enumerate(COLUMNS):
        assert matrix[0, j] == pytest.approx(by_id.get(cid, 0.0), abs=1e-9), cid
    for c in result.candidates:
        total = sum(x.log10_lr for x in c.contributions if x.counted)
        assert c.log10_posterior_odds == pytest.approx(c.log10_prior_odds + total, abs=1e-7)


@pytest.mark.parametrize(
    ("first", "second"),
    [(("positive", True), ("present", True)), (("negative", False), ("absent", False)),
     (("positive", True), ("absent", False))],
)
def test_two_findings_spread_over_the_same_levels_update_any_disc_once_each(
    first: tuple[str, bool], second: tuple[str, bool]
) -> None:
    findings = [{"item": "centralization", "result": first[0]},
                {"item": "drawing_midline_pain", "result": second[0]}]
    evidence: dict[str, Any] = {"age": 52, "sex": "female", "findings": findings}
    _, posterior = _exact(evidence)
    lr = _lr("centralization", first[1]) * _lr("drawing_midline_pain", second[1])
    expected = _odds_update(float(structure_prior_at_age("disc", 52)), lr)
    assert _any(posterior, DISCS) == pytest.approx(expected, abs=1e-9)
    # the order of the findings changes how the arithmetic is split, not the result
    _, swapped = _exact({**evidence, "findings": findings[::-1]})
    np.testing.assert_allclose(swapped, posterior, atol=1e-12)
    result = rank(evidence, with_next=False)
    for cid in DISCS:
        c = candidate(result, cid)
        assert c.interval[0] <= c.posterior <= c.interval[1]


def test_next_test_gain_after_a_finding_spread_over_the_same_roots() -> None:
    base: dict[str, Any] = {"age": 45, "sex": "male", "pain_sides": ["left"],
                            "findings": [{"item": "slr", "result": "positive"}]}
    now = rank(base, with_interval=False, with_next=False)
    compiled = compile_evidence(parse_evidence(base))
    assert compiled.chains  # SLR on the left is spread over L4, L5 and S1 on the left
    prior = prior_vector(compiled.age, compiled.side_mask)
    tests = next_tests(compiled, prior, *evidence_arrays(compiled), other_prior(), limit=500)
    (row,) = [t for t in tests if t["item"] == "crossed_slr"]
    after = {
        r: rank({**base, "findings": [*base["findings"],
                                      {"item": "crossed_slr", "result": r, "side": "left"}]},
                with_interval=False, with_next=False)
        for r in ("positive", "negative")
    }
    roots = [f"root:{r}:left" for r in ("L4", "L5", "S1")]
    p_roots = 1 - math.prod(1 - candidate(after["positive"], c).posterior for c in roots)
    q = 1 - math.prod(1 - candidate(now, c).posterior for c in roots)
    assert p_roots == pytest.approx(_odds_update(q, _lr("crossed_slr", True)), abs=1e-8)
    acc = item_index()["crossed_slr"].targets[0].accuracy
    assert acc is not None
    pair = _sn_sp(acc)
    assert pair is not None
    sn, sp = pair
    p_anchor = candidate(now, "root:L4:left").posterior
    p_pos = p_anchor * sn + (1 - p_anchor) * (1 - sp)
    gain = _entropy(now) - (p_pos * _entropy(after["positive"])
                            + (1 - p_pos) * _entropy(after["negative"]))
    assert row["expected_information_gain_bits"] == pytest.approx(gain, abs=2e-5)


@pytest.mark.parametrize("age", [18, 40, 54.4, 66.5, 90])
@pytest.mark.parametrize("mask", [[True, False], [False, True], [True, True]])
def test_scalar_location_prior_matches_the_prior_vector(age: float, mask: list[bool]) -> None:
    vector = prior_vector(age, np.array(mask))
    for c, p in zip(COLUMNS, vector, strict=False):
        if p > 0:
            structure = c.split(":")[0]
            assert location_prior_scalar(structure, age, sum(mask)) == pytest.approx(
                float(p), abs=1e-15)
