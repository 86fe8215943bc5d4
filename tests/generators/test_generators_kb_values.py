"""Every number in the knowledge-base, prior and prevalence files, checked against the
values transcribed from the project's reference notes (spine_and_pain_drawings.md §2a-2d,
instruments.md) and against each other (derived values, CIs, citations)."""

from __future__ import annotations

import math

import pytest

from painmap.generators.knowledge import (
    citations,
    item_index,
    load_asymptomatic_data,
    load_kb,
    load_priors_data,
)

REQUIRED_IDS = [
    "sij_provocation_cluster", "centralization", "slr", "crossed_slr", "revel_criteria",
    "mri_modic1", "mri_modic2", "mri_hiz", "mri_annular_fissure", "mri_disc_degeneration",
    "mri_disc_bulge", "mri_disc_protrusion", "mri_facet_degeneration", "emg_fibrillations",
    "paindetect_likely", "csi_high",
]

# (item, target index) -> expected accuracy fields, from the reference notes.
EXPECTED: dict[tuple[str, int], dict[str, object]] = {
    ("sij_provocation_cluster", 0): {"sensitivity": 0.94, "specificity": 0.78,
                                     "lr_positive": 4.27, "lr_negative": 0.08},
    ("sij_thigh_thrust", 0): {"sensitivity": 0.88, "specificity": 0.69},
    ("sij_distraction", 0): {"sensitivity": 0.60, "specificity": 0.81},
    ("sij_compression", 0): {"sensitivity": 0.69, "specificity": 0.69},
    ("sij_sacral_thrust", 0): {"sensitivity": 0.63, "specificity": 0.75},
    ("sij_gaenslen", 0): {"sensitivity": 0.53, "specificity": 0.71},
    ("centralization", 0): {"lr_positive": 3.06, "lr_positive_ci": (1.44, 6.50),
                            "lr_negative": 0.66, "lr_negative_ci": (0.52, 0.84)},
    ("slr", 0): {"sensitivity": 0.92, "sensitivity_ci": (0.87, 0.95),
                 "specificity": 0.28, "specificity_ci": (0.18, 0.40)},
    ("crossed_slr", 0): {"sensitivity": 0.28, "sensitivity_ci": (0.22, 0.35),
                         "specificity": 0.90, "specificity_ci": (0.85, 0.94)},
    ("revel_criteria", 0): {"sensitivity": 0.17, "specificity": 0.90},
    ("mri_modic1", 0): {"lr_positive": 10.00, "lr_positive_ci": (4.20, 23.82),
                        "lr_negative": 0.84, "lr_negative_ci": (0.74, 0.96)},
    ("mri_modic2", 0): {"lr_positive": 8.03, "lr_positive_ci": (3.23, 19.97),
                        "lr_negative": 0.88, "lr_negative_ci": (0.80, 0.96)},
    ("mri_hiz", 0): {"lr_positive": 3.10, "lr_positive_ci": (2.27, 4.25),
                     "lr_negative": 0.61, "lr_negative_ci": (0.48, 0.77)},
    ("mri_annular_fissure", 0): {"lr_positive": 2.88, "lr_positive_ci": (2.02, 4.10),
                                 "lr_negative": 0.24, "lr_negative_ci": (0.10, 0.55)},
    ("mri_disc_degeneration", 0): {"lr_positive": 2.53, "lr_positive_ci": (1.57, 4.07),
                                   "lr_negative": 0.15, "lr_negative_ci": (0.09, 0.24)},
    ("spect_facet_uptake", 0): {"lr_positive": 2.80, "lr_positive_ci": (1.82, 4.31)},
    ("emg_fibrillations", 0): {"sensitivity": 0.50, "specificity": 0.95},
    ("ssep_dermatomal", 0): {"sensitivity": 0.50, "specificity": 0.977},
    ("ssep_dermatomal", 1): {"sensitivity": 0.15, "sensitivity_ci": (0.10, 0.20),
                             "specificity": 0.975},
    ("paindetect_likely", 0): {"sensitivity": 0.85, "specificity": 0.80},
    ("csi_high", 0): {"sensitivity": 0.828, "specificity": 0.548},
    ("drawing_dermatomal_match", 0): {"sensitivity": 0.65, "specificity": 0.80},
    ("drawing_dermatomal_match", 1): {"sensitivity": 0.359, "specificity": 0.80},
    ("drawing_midline_pain", 0): {"sensitivity": 0.958, "specificity": 0.855},
    ("drawing_midline_pain", 1): {"sensitivity": 0.154, "specificity": 0.291},
    ("drawing_midline_pain", 2): {"sensitivity": 0.129, "specificity": 0.383},
    ("drawing_unilateral_buttock_no_lumbar", 0): {"sensitivity": 0.871, "specificity": 0.617},
    ("hip_intraarticular_injection", 0): {"sensitivity": 0.936, "specificity": 0.950},
    ("block_medial_branch_single", 0): {"sensitivity": 0.90, "specificity": 0.62,
                                        "specificity_ci": (0.54, 0.70)},
    ("block_medial_branch_comparative", 0): {"sensitivity": 0.54, "specificity": 0.88},
    ("block_medial_branch_placebo_controlled", 0): {"sensitivity": 0.95, "specificity": 0.95},
    ("block_sij_intraarticular_single", 0): {"sensitivity": 0.90, "specificity": 0.80},
    ("block_sij_intraarticular_comparative", 0): {"sensitivity": 0.54, "specificity": 0.88},
    ("block_sij_intraarticular_placebo_controlled", 0): {"sensitivity": 0.95,
                                                         "specificity": 0.95},
    ("block_selective_nerve_root_single", 0): {"sensitivity": 0.90, "specificity": 0.62},
    ("block_selective_nerve_root_comparative", 0): {"sensitivity": 0.54, "specificity": 0.88},
    ("block_selective_nerve_root_placebo_controlled", 0): {"sensitivity": 0.95,
                                                           "specificity": 0.95},
    ("block_discography_single", 0): {"sensitivity": 0.90, "specificity": 0.62},
    ("block_discography_comparative", 0): {"sensitivity": 0.54, "specificity": 0.88},
    ("block_discography_placebo_controlled", 0): {"sensitivity": 0.95, "specificity": 0.95},
}

# Items whose accuracy is (partly) assumed or quoted from memory must say so.
UNVERIFIED = {
    "emg_fibrillations", "paindetect_likely", "block_medial_branch_single",
    "block_medial_branch_placebo_controlled", "block_sij_intraarticular_single",
    "block_sij_intraarticular_comparative", "block_sij_intraarticular_placebo_controlled",
    "block_selective_nerve_root_single", "block_selective_nerve_root_comparative",
    "block_selective_nerve_root_placebo_controlled", "block_discography_single",
    "block_discography_comparative", "block_discography_placebo_controlled",
}


def test_required_ids_exist() -> None:
    ids = set(item_index())
    assert set(REQUIRED_IDS) <= ids


def test_every_quantified_target_is_listed_here() -> None:
    listed = set(EXPECTED)
    for item in load_kb().items:
        for k, t in enumerate(item.targets):
            if t.accuracy is not None:
                assert (item.id, k) in listed, f"{item.id} target {k} has no expected values"


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()))
def test_accuracy_values_match_reference(
    key: tuple[str, int], expected: dict[str, object]
) -> None:
    acc = item_index()[key[0]].targets[key[1]].accuracy
    assert acc is not None
    for field, value in expected.items():
        got = getattr(acc, field)
        if isinstance(value, tuple):
            assert got == pytest.approx(value), field
        else:
            assert got == pytest.approx(value), field


def test_every_accuracy_has_known_citations_and_reference_standard() -> None:
    known = citations()
    for item in load_kb().items:
        for t in item.targets:
            if t.accuracy is None:
                continue
            assert t.accuracy.citations
            assert all(c in known for c in t.accuracy.citations)
            assert t.accuracy.reference_standard
            if "painmap_assumption" in t.accuracy.citations:
                assert not t.accuracy.verified, item.id


def test_verified_flags() -> None:
    for item in load_kb().items:
        for t in item.targets:
            if t.accuracy is not None and item.id in UNVERIFIED:
                assert t.accuracy.verified is False, item.id


def test_published_lrs_agree_with_sensitivity_and_specificity() -> None:
    acc = item_index()["sij_provocation_cluster"].targets[0].accuracy
    assert acc is not None
    assert acc.lr_pos == pytest.approx(0.94 / 0.22, abs=0.01)
    assert acc.lr_neg == pytest.approx(0.06 / 0.78, abs=0.005)


def test_derived_lrs() -> None:
    slr = item_index()["slr"].targets[0].accuracy
    assert slr is not None
    assert slr.lr_pos == pytest.approx(0.92 / 0.72)
    assert slr.lr_neg == pytest.approx(0.08 / 0.28)


def test_depalma_midline_derivations() -> None:
    # DePalma 2011 (PM R): midline pain in 95.8% IDD, 15.4% facet, 12.9% SIJ;
    # weights: prevalences 42/31/18 (DePalma 2011 Pain Med).
    pm, pf, ps = 0.958, 0.154, 0.129
    wd, wf, ws = 0.42, 0.31, 0.18
    sp_disc = 1 - (wf * pf + ws * ps) / (wf + ws)
    sp_facet = 1 - (wd * pm + ws * ps) / (wd + ws)
    sp_sij = 1 - (wd * pm + wf * pf) / (wd + wf)
    mid = item_index()["drawing_midline_pain"].targets
    assert mid[0].accuracy is not None and mid[1].accuracy is not None
    assert mid[2].accuracy is not None
    assert mid[0].accuracy.specificity == pytest.approx(sp_disc, abs=0.0005)
    assert mid[1].accuracy.specificity == pytest.approx(sp_facet, abs=0.0005)
    assert mid[2].accuracy.specificity == pytest.approx(sp_sij, abs=0.0005)
    uni = item_index()["drawing_unilateral_buttock_no_lumbar"].targets[0].accuracy
    assert uni is not None
    assert uni.sensitivity == pytest.approx(1 - ps)
    assert 1 - uni.specificity == pytest.approx(sp_sij, abs=0.0005)
    assert uni.lr_pos == pytest.approx((1 - ps) / sp_sij, abs=0.003)


def test_drawing_misclassification() -> None:
    from painmap.generators.knowledge import misclassified

    # Scherrer 2021: 15-19% map/questionnaire discordance for the back; painmap uses 15%
    for item_id in ("drawing_midline_pain", "drawing_unilateral_buttock_no_lumbar"):
        item = item_index()[item_id]
        assert item.drawing_misclassification == 0.15
        assert item.misclassification_citations == ["scherrer2021"]
    sn, sp = misclassified(0.958, 0.855, 0.15)
    assert sn == pytest.approx(0.958 * 0.85 + 0.042 * 0.15)
    assert sp == pytest.approx(0.855 * 0.85 + 0.145 * 0.15)
    assert misclassified(0.9, 0.8, 0.0) == (0.9, 0.8)


def test_block_specs() -> None:
    mbb = item_index()["block_medial_branch_single"].block
    assert mbb is not None
    # Schwarzer 1994: PPV of a single block 31% (15% confirmed of 47% screening-positive)
    assert mbb.single_block_ceiling == 0.31
    assert pytest.approx(mbb.single_block_ceiling, abs=0.01) == 0.15 / 0.47
    sij = item_index()["block_sij_intraarticular_single"].block
    assert sij is not None
    assert sij.single_block_ceiling == pytest.approx(10 / 19, abs=0.001)  # Maigne 1996
    # Maigne 1996 false-positive rate: 9 of 44 without SIJ pain
    spec = item_index()["block_sij_intraarticular_single"].targets[0].accuracy
    assert spec is not None and spec.specificity == pytest.approx(1 - 9 / 44, abs=0.005)
    for item in load_kb().items:
        if item.block is not None:
            assert item.block.relief_threshold_percent == 50  # Schwarzer 1994 criterion


def test_priors_values() -> None:
    data = load_priors_data()
    s = data["structures"]
    assert s["disc"]["prevalence"] == 0.42
    assert s["facet"]["prevalence"] == 0.31
    assert s["sij"]["prevalence"] == 0.18
    assert s["disc"]["n"] == s["facet"]["n"] == s["sij"]["n"] == 170
    assert (s["root"]["prevalence"], s["myofascial"]["prevalence"]) == (0.24, 0.10)
    assert s["nociplastic"]["prevalence"] == 0.05
    assert s["root"]["n"] == 264
    assert s["hip"]["prevalence"] == 0.032 and s["hip"]["verified"] is False
    assert (s["disc"]["mean_age"], s["facet"]["mean_age"], s["sij"]["mean_age"]) == (
        43.7, 59.6, 61.4)
    assert not s["disc"]["mean_age_verified"]
    assert data["other"]["prevalence"] == 0.33 and data["other"]["n"] == 216
    corroborating = {k: [(c["value"], c["n"]) for c in s[k]["corroborating"]]
                     for k in ("disc", "facet", "sij")}
    assert corroborating == {"disc": [(0.39, 92)], "facet": [(0.15, 176), (0.40, 57)],
                             "sij": [(0.185, 54), (0.30, 43)]}
    for k in ("disc", "facet", "sij"):
        for c in s[k]["corroborating"]:
            assert all(key in citations() for key in c["citations"])
    age = data["age_model"]
    assert (age["reference_mean_age"], age["reference_sd"], age["max_age"]) == (54.4, 16.2, 70)
    known = citations()
    for entry in [*s.values(), data["other"], age]:
        assert entry["citations"] and all(c in known for c in entry["citations"])


BRINJIKJI = {
    "disc_degeneration": [0.37, 0.52, 0.68, 0.80, 0.88, 0.93, 0.96],
    "disc_signal_loss": [0.17, 0.33, 0.54, 0.73, 0.86, 0.94, 0.97],
    "disc_height_loss": [0.24, 0.34, 0.45, 0.56, 0.67, 0.76, 0.84],
    "disc_bulge": [0.30, 0.40, 0.50, 0.60, 0.69, 0.77, 0.84],
    "disc_protrusion": [0.29, 0.31, 0.33, 0.36, 0.38, 0.40, 0.43],
    "annular_fissure": [0.19, 0.20, 0.22, 0.23, 0.25, 0.27, 0.29],
    "facet_degeneration": [0.04, 0.09, 0.18, 0.32, 0.50, 0.69, 0.83],
    "spondylolisthesis": [0.03, 0.05, 0.08, 0.14, 0.23, 0.35, 0.50],
    "modic_any": [0.06] * 7,
}
# Values the reference marks verified (20-50 y from the 2016 reproduction; bold 60/80 y).
VERIFIED_CELLS = {
    "disc_degeneration": {20, 30, 40, 50, 80},
    "disc_signal_loss": {20, 30, 40, 50, 60},
    "disc_height_loss": {20, 30, 40, 50},
    "disc_bulge": {20, 30, 40, 50, 80},
    "disc_protrusion": {20, 30, 40, 50, 80},
    "annular_fissure": {20, 30, 40, 50, 80},
    "facet_degeneration": {20, 30, 40, 50},
    "spondylolisthesis": {20, 30, 40, 50, 60},
    "modic_any": {20, 30, 40, 50, 60, 70, 80},
}


@pytest.mark.parametrize("finding", sorted(BRINJIKJI))
def test_asymptomatic_prevalence_values(finding: str) -> None:
    data = load_asymptomatic_data()
    assert data["ages"] == [20, 30, 40, 50, 60, 70, 80]
    entry = data["findings"][finding]
    assert entry["values"] == pytest.approx(BRINJIKJI[finding])
    verified = {a for a, v in zip(data["ages"], entry["verified"], strict=True) if v}
    assert verified == VERIFIED_CELLS[finding]
    assert all(c in citations() for c in entry["citations"])


def test_lr_ci_standard_errors_are_finite() -> None:
    for item in load_kb().items:
        for t in item.targets:
            if t.accuracy is None:
                continue
            for positive in (True, False):
                se, source = t.accuracy.log10_se(positive)
                assert math.isfinite(se) and se >= 0
                assert source in ("published", "assumed")


def test_docs_table_matches_the_knowledge_base() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "generators.md"
    if not doc.exists():
        pytest.skip("docs not shipped")
    seen: dict[str, list[str]] = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `") and "|" in line[3:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 5:  # the knowledge-base table
                seen.setdefault(cells[0].strip("`"), []).append(cells[2])
    for item in load_kb().items:
        if item.category == "drawing":
            continue
        expected = [f"{t.accuracy.lr_pos:.2f}" if t.accuracy else "not counted"
                    for t in item.targets]
        assert seen.get(item.id) == expected, item.id
