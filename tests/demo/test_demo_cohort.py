"""The synthetic demo cohort: deterministic, valid, plausible and fast."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest

from painmap.core.enums import Structure, TreatmentType
from painmap.core.errors import ValidationFailure
from painmap.demo import (
    generate_cohort,
    generate_cohort_with_truth,
    load_parameters,
)
from painmap.instruments import validate_answers
from painmap.record.models import InstrumentRecord, Patient


@pytest.fixture(scope="module")
def cohort() -> tuple[list[Patient], list]:  # type: ignore[type-arg]
    return generate_cohort_with_truth(700, seed=7)


def test_same_seed_same_cohort() -> None:
    a = [p.model_dump_json() for p in generate_cohort(20, seed=3)]
    b = [p.model_dump_json() for p in generate_cohort(20, seed=3)]
    assert a == b


def test_different_seed_different_cohort() -> None:
    a = [p.model_dump_json() for p in generate_cohort(5, seed=3)]
    b = [p.model_dump_json() for p in generate_cohort(5, seed=4)]
    assert a != b


def test_prefix_stable() -> None:
    """Patient i depends only on (seed, i): a bigger cohort starts with the smaller one."""
    small = [p.model_dump_json() for p in generate_cohort(4, seed=11)]
    big = [p.model_dump_json() for p in generate_cohort(9, seed=11)]
    assert big[:4] == small


def test_every_patient_revalidates(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, _ = cohort
    ids = set()
    for p in patients[:300]:
        again = Patient.model_validate_json(p.model_dump_json())
        assert again == p
        ids.add(p.id)
        for e in p.encounters:
            for r in e.records:
                if isinstance(r, InstrumentRecord):
                    validate_answers(r.instrument, r.answers)
    assert len(ids) == 300


def test_phenotype_shares_match_parameters(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    _, truth = cohort
    shares = load_parameters()["phenotype_shares"]["values"]
    counts = Counter(t.phenotype.value for t in truth)
    n = len(truth)
    for key, p in shares.items():
        sd = (p * (1 - p) / n) ** 0.5
        assert abs(counts[key] / n - p) < 4 * sd + 0.005, key
    # DePalma 2011 ratio among the axial sources: disc > facet > SIJ.
    assert counts["disc"] > counts["facet"] > counts["sij"]


def test_age_follows_phenotype(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, truth = cohort
    ages: dict[Structure, list[int]] = {}
    for p, t in zip(patients, truth, strict=True):
        ages.setdefault(t.phenotype, []).append(p.age_on(p.encounters[0].date))
    mean = {k: sum(v) / len(v) for k, v in ages.items()}
    assert mean[Structure.DISC] < mean[Structure.FACET] - 8
    assert mean[Structure.DISC] < mean[Structure.SIJ] - 8
    assert all(18 <= a <= 90 for v in ages.values() for a in v)


def test_mostly_chronic_and_plausible_sex(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, _ = cohort
    chronic = [p.is_chronic(p.encounters[0].date) for p in patients]
    assert 0.87 < sum(bool(c) for c in chronic) / len(chronic) < 0.97
    female = sum(p.sex.value == "female" for p in patients) / len(patients)
    assert 0.48 < female < 0.64


def test_visits_and_treatment_structure(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, truth = cohort
    n_visits = [len(p.encounters) for p in patients]
    # baseline + treatment + up to 4 follow-ups, about 12% missed
    assert max(n_visits) == 6 and min(n_visits) >= 2
    assert 5.2 < sum(n_visits) / len(n_visits) < 5.8
    for p, t in zip(patients[:200], truth[:200], strict=True):
        treatments = [r for e in p.encounters for r in e.records if r.kind == "treatment"]
        assert len(treatments) == 1
        tr = treatments[0]
        assert tr.type is t.treatment
        assert tr.target is t.suspected
        assert p.encounters[0].date < tr.start
        assert all(e.date <= date(2026, 11, 23) for e in p.encounters)
    matched = sum(t.matched for t in truth) / len(truth)
    assert 0.65 < matched < 0.85


def test_imaging_degeneration_rises_with_age(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, _ = cohort
    young, old = [], []
    for p in patients:
        age = p.age_on(p.encounters[0].date)
        has = any(r.kind == "imaging" and r.finding.value == "facet_degeneration"
                  for r in p.encounters[0].records)
        (young if age < 40 else old if age >= 60 else []).append(has)
    assert sum(old) / len(old) > sum(young) / len(young) + 0.2


def test_radicular_patients_get_emg_more_often(cohort: tuple[list[Patient], list]) -> None:  # type: ignore[type-arg]
    patients, truth = cohort
    def emg_rate(root: bool) -> float:
        sel = [p for p, t in zip(patients, truth, strict=True)
               if (t.phenotype is Structure.NERVE_ROOT) == root]
        return sum(any(r.kind == "electrodiagnostic" for r in p.encounters[0].records)
                   for p in sel) / len(sel)
    assert emg_rate(True) > 0.5 > 0.15 > emg_rate(False)


def _mean_change(patients: list[Patient], truth: list, ttype: TreatmentType) -> float:  # type: ignore[type-arg]
    changes = []
    for p, t in zip(patients, truth, strict=True):
        if t.treatment is not ttype:
            continue
        nrs = {e.id.rsplit("-", 1)[1]: r.answers[0] for e in p.encounters for r in e.records
               if r.kind == "instrument" and r.instrument == "nrs"}
        if "m03" in nrs:
            changes.append(nrs["m03"] - nrs["v0"])
    return sum(changes) / len(changes)


def test_planted_effect_changes_trajectories() -> None:
    base_p, base_t = generate_cohort_with_truth(400, seed=5)
    big_p, big_t = generate_cohort_with_truth(
        400, seed=5, treatment_effects={"radiofrequency_ablation": 5.0}
    )
    rfa = TreatmentType.RADIOFREQUENCY_ABLATION
    assert [t.treatment for t in base_t] == [t.treatment for t in big_t]
    assert _mean_change(big_p, big_t, rfa) < _mean_change(base_p, base_t, rfa) - 0.8
    # other treatment types are untouched
    physio = TreatmentType.PHYSIOTHERAPY
    assert _mean_change(big_p, big_t, physio) == _mean_change(base_p, base_t, physio)


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(ValidationFailure, match="patients"):
        generate_cohort(-1, seed=1)
    with pytest.raises(ValidationFailure, match="seed"):
        generate_cohort(1, seed=-5)
    with pytest.raises(ValidationFailure, match=r"treatment_effects.*allowed"):
        generate_cohort(1, seed=1, treatment_effects={"homeopathy": 1.0})


def test_200_patients_are_fast() -> None:
    """A sanity bound only (about 1.5 s on an idle 2-core machine; CI machines are shared)."""
    t0 = time.perf_counter()
    generate_cohort(200, seed=1)
    assert time.perf_counter() - t0 < 60.0


def test_drawings_use_real_regions_and_follow_phenotype(
    cohort: tuple[list[Patient], list],  # type: ignore[type-arg]
) -> None:
    from painmap.bodymap import validate_drawing
    from painmap.demo.drawings import region_ids

    known = region_ids()
    patients, truth = cohort
    below_knee_root, below_knee_other = [], []
    for p, t in zip(patients, truth, strict=True):
        for e in p.encounters:
            for r in e.records:
                if r.kind == "pain_drawing":
                    assert {m.id for m in r.marks} <= known
                    validate_drawing(r)
        base = p.encounters[0].records[0]
        assert base.kind == "pain_drawing" and base.marks
        distal = any(m.id.startswith(("b_calf", "f_leg", "f_dorsum", "f_hallux", "b_heel"))
                     for m in base.marks)
        (below_knee_root if t.phenotype is Structure.NERVE_ROOT
         else below_knee_other).append(distal)
        if t.phenotype is Structure.SIJ:
            side = "l" if t.side.value == "left" else "r"
            assert any(m.id in (f"b_sij_{side}", f"b_buttock_{side}") for m in base.marks)
    assert sum(below_knee_root) / len(below_knee_root) > 0.7
    assert sum(below_knee_other) / len(below_knee_other) < 0.1
