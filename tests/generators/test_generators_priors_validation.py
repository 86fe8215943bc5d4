"""Priors by age and their spread; input validation with allowed values."""

from __future__ import annotations

import numpy as np
import pytest

from painmap.core.errors import ValidationFailure
from painmap.generators import parse_evidence, rank
from painmap.generators.candidates import CANDIDATE_IDS, INDEX, LEVEL_NAMES
from painmap.generators.priors import (
    age_model,
    age_slope,
    location_prior,
    prior_matrix,
    structure_prior_at_age,
    structure_priors,
)


def test_prior_equals_published_prevalence_at_cohort_mean_age() -> None:
    for name, p in (("disc", 0.42), ("facet", 0.31), ("sij", 0.18)):
        assert float(structure_prior_at_age(name, 54.4)) == pytest.approx(p)
    for name, p in (("root", 0.24), ("myofascial", 0.10), ("nociplastic", 0.05)):
        assert float(structure_prior_at_age(name, 30)) == pytest.approx(p)


def test_age_direction_follows_depalma() -> None:
    young, old = 30, 65
    assert structure_prior_at_age("disc", young) > structure_prior_at_age("disc", old)
    assert structure_prior_at_age("facet", young) < structure_prior_at_age("facet", old)
    assert structure_prior_at_age("sij", young) < structure_prior_at_age("sij", old)
    # no further change after about age 70
    assert structure_prior_at_age("facet", 70) == structure_prior_at_age("facet", 85)


def test_age_slope_formula() -> None:
    m = age_model()
    # mean age of the others: (54.4 - 0.42 * 43.7) / 0.58
    others = (54.4 - 0.42 * 43.7) / 0.58
    assert age_slope(0.42, 43.7, m) == pytest.approx((43.7 - others) / 16.2**2)
    assert structure_priors()["disc"].slope_per_year < 0 < structure_priors()["sij"].slope_per_year
    assert m.min_age == pytest.approx(54.4 - 2 * 16.2)


def test_spread_keeps_structure_probability() -> None:
    # P(at least one of the 5 discs) = P(disc)
    p_loc = float(location_prior("disc", 54.4, 2))
    assert 1 - (1 - p_loc) ** 5 == pytest.approx(0.42)
    # facets: 5 levels x 2 sides when the sides are unknown
    p_f = float(location_prior("facet", 54.4, 2))
    assert 1 - (1 - p_f) ** 10 == pytest.approx(0.31)
    # SIJ on the only painful side carries the whole prior
    assert float(location_prior("sij", 54.4, 1)) == pytest.approx(0.18)


def test_prior_matrix_excludes_sides_without_pain() -> None:
    m = prior_matrix(np.array([54.4, 54.4]), np.array([[True, False], [False, False]]))
    left, right = INDEX["sij:left"], INDEX["sij:right"]
    assert m[0, left] == pytest.approx(0.18) and m[0, right] == 0
    # a row without sides is read as both sides
    assert m[1, left] == m[1, right] == pytest.approx(1 - 0.82**0.5)
    assert m.shape == (2, len(CANDIDATE_IDS))


def test_candidate_ids() -> None:
    assert "disc:L1-L2" in CANDIDATE_IDS and "disc:L5-S1" in CANDIDATE_IDS
    assert "facet:L4-L5:left" in CANDIDATE_IDS and "root:S1:right" in CANDIDATE_IDS
    assert "root:L2:left" in CANDIDATE_IDS and "root:L1:left" not in CANDIDATE_IDS
    assert {"sij:left", "hip:right", "myofascial", "nociplastic"} <= set(CANDIDATE_IDS)
    assert LEVEL_NAMES == ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")


BAD = [
    ({"item": "mri_modic7", "result": "present", "level": "L4-L5"}, "findings[0].item",
     "mri_modic1"),
    ({"item": "mri_modic1", "result": "positive", "level": "L4-L5"}, "findings[0].result",
     "present"),
    ({"item": "mri_modic1", "result": "present", "level": "L6-S1"}, "findings[0].level",
     "L5-S1"),
    ({"item": "mri_modic1", "result": "present", "level": "T12-L1"}, "findings[0].level",
     "L1-L2"),
    ({"item": "mri_modic1", "result": "present"}, "findings[0].level", "L4-L5"),
    ({"item": "emg_fibrillations", "result": "positive", "root": "S3"}, "findings[0].root",
     "S1"),
    ({"item": "emg_fibrillations", "result": "positive"}, "findings[0].root", "L5"),
    ({"item": "slr", "result": "positive", "side": "up"}, "findings[0].side", "left"),
    ({"item": "block_medial_branch_single", "result": "positive"}, "findings[0].item", None),
]


@pytest.mark.parametrize(("finding", "field", "allowed"), BAD)
def test_unknown_values_rejected_with_allowed_values(
    finding: dict[str, str], field: str, allowed: str | None
) -> None:
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "findings": [finding]})
    assert exc.value.field == field
    if allowed is not None:
        assert exc.value.allowed is not None and allowed in exc.value.allowed
    # block items are never offered as findings
    if field.endswith(".item") and exc.value.allowed:
        assert not any(a.startswith("block_") for a in exc.value.allowed)


def test_bad_blocks_rejected() -> None:
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "blocks": [
            {"type": "medial_branch", "design": "single", "relief_percent": 80}]})
    assert exc.value.field == "blocks[0].levels"
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "blocks": [
            {"type": "facet_capsule", "levels": ["L4-L5"], "relief_percent": 80}]})
    assert exc.value.field == "blocks.0.type"
    assert exc.value.allowed and "medial_branch" in exc.value.allowed[0]
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "blocks": [
            {"type": "medial_branch", "levels": ["L4-L5"], "relief_percent": 180}]})
    assert exc.value.field == "blocks.0.relief_percent"
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "blocks": [
            {"type": "selective_nerve_root", "relief_percent": 80}]})
    assert exc.value.field == "blocks[0].root"


def test_schema_errors_name_the_field() -> None:
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"sex": "male"})
    assert exc.value.field == "age"
    with pytest.raises(ValidationFailure) as exc:
        parse_evidence({"age": 50, "sex": "male", "extra": 1})
    assert exc.value.field == "extra"
    with pytest.raises(ValidationFailure):
        parse_evidence([1, 2])
    with pytest.raises(ValidationFailure) as exc:
        rank({"age": 50, "sex": "male", "instruments": {"odi": [0] * 10}})
    assert exc.value.field == "instruments.odi"
    assert exc.value.allowed == ["csi", "paindetect"]


def test_same_item_twice_for_the_same_candidate_is_rejected() -> None:
    with pytest.raises(ValidationFailure) as exc:
        rank({"age": 50, "sex": "male", "findings": [
            {"item": "slr", "result": "positive", "side": "left"},
            {"item": "slr", "result": "negative", "side": "left"}]})
    assert exc.value.field == "findings[1]"


@pytest.mark.parametrize("age", [15, 30, 54.4, 66, 90])
@pytest.mark.parametrize("mask", [[True, False], [False, True], [True, True], [False, False]])
def test_scalar_prior_vector_equals_matrix(age: float, mask: list[bool]) -> None:
    from painmap.generators.priors import prior_vector

    np.testing.assert_allclose(
        prior_vector(age, np.array(mask)), prior_matrix(age, np.array([mask]))[0], atol=1e-14
    )


def test_bad_questionnaire_answers_name_the_instrument() -> None:
    with pytest.raises(ValidationFailure) as exc:
        rank({"age": 50, "sex": "male", "instruments": {"csi": [9] * 25}})
    assert exc.value.field.startswith("instruments.csi.")
