"""The data files: every number has a citation, and every clinical number matches the
project reference (/work/shared/reference/instruments.md, typed in here by hand)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from painmap.instruments import INSTRUMENT_IDS, definitions, get_definition

DATA = resources.files("painmap.instruments").joinpath("data")


def _raw(iid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.joinpath(f"{iid}.json").read_text(encoding="utf-8"))
    return data


def _uncited_numbers(node: Any, path: str, cited: bool, out: list[str]) -> None:
    if isinstance(node, dict):
        has = bool(node.get("cite"))
        for key, value in node.items():
            if key in ("cite", "citations"):
                continue
            _uncited_numbers(value, f"{path}.{key}", cited or has, out)
    elif isinstance(node, list):
        for k, value in enumerate(node):
            _uncited_numbers(value, f"{path}[{k}]", cited, out)
    elif isinstance(node, int | float) and not isinstance(node, bool) and not cited:
        out.append(path)


def _cite_keys(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "cite":
                out.extend(value)
            elif key != "citations":
                _cite_keys(value, out)
    elif isinstance(node, list):
        for value in node:
            _cite_keys(value, out)


def test_one_file_per_instrument() -> None:
    names = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".json"))
    assert names == sorted(f"{i}.json" for i in INSTRUMENT_IDS)
    assert [d.id for d in definitions()] == list(INSTRUMENT_IDS)


@pytest.mark.parametrize("iid", INSTRUMENT_IDS)
def test_every_number_has_a_citation(iid: str) -> None:
    raw = _raw(iid)
    missing: list[str] = []
    _uncited_numbers(raw, iid, False, missing)
    assert missing == []
    keys: list[str] = []
    _cite_keys(raw, keys)
    assert keys, "no citation at all"
    assert set(keys) <= set(raw["citations"]), set(keys) - set(raw["citations"])
    assert set(raw["citations"]) <= set(keys), "unused citation"
    for c in raw["citations"].values():
        assert c["text"].strip() and c["status"] in {
            "verified", "partly_verified", "unverified", "background", "local_decision"}


@pytest.mark.parametrize("iid", INSTRUMENT_IDS)
def test_structure_is_consistent(iid: str) -> None:
    d = get_definition(iid)
    ids = d.item_ids
    assert len(ids) == len(set(ids))
    for scale in d.scales.values():
        assert len(scale.codes) == len(scale.values)
        assert scale.points is None or len(scale.points) == len(scale.values)
    for item in d.items:
        assert item.scale in d.scales
    for sub in d.subscales:
        assert set(sub.items) <= set(ids)
    assert d.categories == [] or d.categories[-1].conditions == []  # a total order
    assert not d.licence.item_text_shipped or iid in {"nrs", "acr2016"}
    assert d.missing.default_max_missing >= 0


def _bands(iid: str) -> list[tuple[str, list[tuple[str, str, float]]]]:
    out = []
    for rule in get_definition(iid).categories:
        conds = []
        for c in rule.conditions:
            for op in ("ge", "gt", "le", "lt"):
                v = getattr(c, op)
                if v is not None:
                    conds.append((c.of, op, v))
        out.append((rule.code, conds))
    return out


def test_reference_values_ranges_and_items() -> None:
    expected = {  # id: (items, min, max, default max missing, missing method)
        "nrs": (1, 0, 10, 0, "none"),
        "odi": (10, 0, 100, 1, "denominator"),
        "rmdq": (24, 0, 24, 0, "prorate"),
        "startback": (9, 0, 9, 0, "none"),
        "paindetect": (9, -1, 38, 0, "none"),
        "pcs": (13, 0, 52, 0, "prorate"),
        "csi": (25, 0, 100, 0, "prorate"),
        "tsk17": (17, 17, 68, 0, "prorate"),
        "acr2016": (25, 0, 31, 0, "none"),
        "promis_pi_4a": (4, 41.6, 75.6, 0, "none"),
    }
    for iid, (n, lo, hi, mm, method) in expected.items():
        d = get_definition(iid)
        assert (len(d.items), d.scoring.min, d.scoring.max) == (n, lo, hi), iid
        assert (d.missing.default_max_missing, d.missing.method) == (mm, method), iid


def test_reference_values_response_scales() -> None:
    scales = {iid: {k: (s.values, s.points) for k, s in get_definition(iid).scales.items()}
              for iid in INSTRUMENT_IDS}
    assert scales["odi"]["odi_section"] == ([0, 1, 2, 3, 4, 5], None)
    assert scales["rmdq"]["ticked"] == ([0, 1], None)
    assert scales["startback"]["agree"] == ([0, 1], [0, 1])
    assert scales["startback"]["bothersomeness"] == ([0, 1, 2, 3, 4], [0, 0, 0, 1, 1])
    assert scales["paindetect"]["intensity_0_5"] == ([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5])
    assert scales["paindetect"]["course"][1] == [0, -1, 1, 1]
    assert scales["paindetect"]["radiating"] == ([False, True], [0, 2])
    assert scales["pcs"]["degree_0_4"] == ([0, 1, 2, 3, 4], None)
    assert scales["csi"]["frequency_0_4"] == ([0, 1, 2, 3, 4], None)
    assert scales["tsk17"]["agreement_1_4"] == ([1, 2, 3, 4], [1, 2, 3, 4])
    assert scales["tsk17"]["agreement_1_4_reversed"] == ([1, 2, 3, 4], [4, 3, 2, 1])
    reversed_items = [i.id for i in get_definition("tsk17").items if i.reverse]
    assert reversed_items == ["tsk17_4", "tsk17_8", "tsk17_12", "tsk17_16"]
    for item in get_definition("tsk17").items:
        assert (item.scale == "agreement_1_4_reversed") == item.reverse
    assert scales["promis_pi_4a"]["interference_1_5"] == ([1, 2, 3, 4, 5], None)
    assert scales["acr2016"]["severity_0_3"] == ([0, 1, 2, 3], None)
    assert scales["acr2016"]["present_0_1"] == ([0, 1], None)
    assert scales["nrs"]["nrs_0_10"] == (list(range(11)), None)


def test_reference_values_subscales() -> None:
    def subs(iid: str) -> dict[str, tuple[list[str], float, float]]:
        return {s.id: (s.items, s.min, s.max) for s in get_definition(iid).subscales}

    assert subs("pcs") == {
        "rumination": ([f"pcs_{i}" for i in (8, 9, 10, 11)], 0, 16),
        "magnification": ([f"pcs_{i}" for i in (6, 7, 13)], 0, 12),
        "helplessness": ([f"pcs_{i}" for i in (1, 2, 3, 4, 5, 12)], 0, 24),
    }
    assert subs("startback") == {
        "psychosocial": ([f"startback_{i}" for i in (5, 6, 7, 8, 9)], 0, 5)}
    assert subs("paindetect")["sensory"][1:] == (0, 35)
    assert subs("acr2016")["wpi"][1:] == (0, 19) and subs("acr2016")["sss"][1:] == (0, 12)


def test_reference_values_cutoffs() -> None:
    assert _bands("odi") == [
        ("minimal", [("score", "le", 20)]), ("moderate", [("score", "le", 40)]),
        ("severe", [("score", "le", 60)]), ("crippled", [("score", "le", 80)]),
        ("bed_bound", [])]
    assert _bands("rmdq") == [("functional", [("score", "le", 4)]), ("dysfunctional", [])]
    assert _bands("startback") == [
        ("low", [("score", "le", 3)]), ("high", [("psychosocial", "ge", 4)]), ("medium", [])]
    assert _bands("paindetect") == [
        ("unlikely", [("score", "le", 12)]), ("unclear", [("score", "le", 18)]), ("likely", [])]
    assert _bands("pcs") == [("clinically_relevant", [("score", "ge", 30)]),
                             ("below_threshold", [])]
    assert _bands("csi") == [
        ("subclinical", [("score", "le", 29)]), ("mild", [("score", "le", 39)]),
        ("moderate", [("score", "le", 49)]), ("severe", [("score", "le", 59)]), ("extreme", [])]
    csi_flags = get_definition("csi").flags
    assert [(f.code, f.conditions[0].ge) for f in csi_flags] == [
        ("central_sensitivity_syndrome_likely", 40)]
    assert _bands("tsk17") == [("high", [("score", "gt", 37)]), ("not_high", [])]
    assert _bands("nrs") == [
        ("none", [("score", "le", 0)]), ("mild", [("score", "le", 3)]),
        ("moderate", [("score", "le", 6)]), ("severe", [("score", "le", 9)]),
        ("excruciating", [])]
    assert _bands("promis_pi_4a") == []


def test_reference_values_acr2016() -> None:
    d = get_definition("acr2016")
    assert d.criteria is not None and d.wpi_sites is not None and d.duration is not None
    sev = [[(c.of, c.ge, c.le) for c in r.conditions] for r in d.criteria.severity]
    assert sev == [[("wpi", 7, None), ("sss", 5, None)],
                   [("wpi", 4, None), ("wpi", None, 6), ("sss", 9, None)]]
    assert [(c.of, c.ge) for c in d.criteria.generalized_pain.conditions] == [
        ("generalized_regions", 4)]
    assert [(c.of, c.ge) for c in d.criteria.duration.conditions] == [("duration_months", 3)]
    assert d.duration.min == 0
    regions: dict[str, list[str]] = {}
    for s in d.wpi_sites:
        regions.setdefault(s.region, []).append(s.id)
    assert regions == {
        "left_upper": ["jaw_l", "shoulder_l", "upper_arm_l", "lower_arm_l"],
        "right_upper": ["jaw_r", "shoulder_r", "upper_arm_r", "lower_arm_r"],
        "left_lower": ["hip_l", "upper_leg_l", "lower_leg_l"],
        "right_lower": ["hip_r", "upper_leg_r", "lower_leg_r"],
        "axial": ["neck", "upper_back", "lower_back", "chest", "abdomen"],
    }
    assert _bands("acr2016") == [("criteria_met", [("criteria_met", "ge", 1)]),
                                 ("criteria_not_met", [])]
    excluded = {s.id for s in d.wpi_sites if not s.counts_for_generalized_pain}
    assert excluded == {"jaw_l", "jaw_r", "chest", "abdomen"}


def test_reference_values_promis_table() -> None:
    table = get_definition("promis_pi_4a").table
    assert table is not None
    assert [(r.raw, r.t, r.se) for r in table.rows] == [
        (4, 41.6, 6.1), (5, 49.6, 2.5), (6, 52.0, 2.0), (7, 53.9, 1.9), (8, 55.6, 1.9),
        (9, 57.1, 1.9), (10, 58.5, 1.8), (11, 59.9, 1.8), (12, 61.2, 1.8), (13, 62.5, 1.8),
        (14, 63.8, 1.8), (15, 65.2, 1.8), (16, 66.6, 1.8), (17, 68.0, 1.8), (18, 69.7, 1.9),
        (19, 71.6, 2.1), (20, 75.6, 3.7)]
    d = get_definition("promis_pi_4a")
    assert (d.scoring.raw_min, d.scoring.raw_max) == (4, 20)
    assert d.scales["interference_1_5"].loinc_answers == [
        "LA6568-5", "LA13863-8", "LA13909-9", "LA13902-4", "LA13914-9"]
    assert d.scales["interference_1_5"].answer_list == "LL1017-4"


def test_reference_values_change_rules() -> None:
    def rules(iid: str) -> list[tuple[str, str, float]]:
        return [(r.level, r.kind, r.threshold) for r in get_definition(iid).change.rules]

    assert rules("nrs") == [("substantial", "percent", 50), ("moderate", "percent", 30),
                            ("moderate", "points", 2), ("minimal", "percent", 10)]
    assert get_definition("nrs").change.meaningful_levels == ["moderate", "substantial"]
    assert rules("odi") == [("mic", "points", 10), ("mic", "percent", 30)]
    assert rules("rmdq") == [("mic", "points", 5), ("mic", "percent", 30)]
    mdc = {i: get_definition(i).change.mdc for i in ("odi", "rmdq")}
    assert mdc["odi"] is not None and mdc["odi"].points == 10
    assert mdc["rmdq"] is not None and mdc["rmdq"].points == 5
    for iid in ("startback", "paindetect", "pcs", "csi", "tsk17", "acr2016", "promis_pi_4a"):
        assert rules(iid) == []
    assert get_definition("odi").scoring.points_per_section == 5


def test_reference_values_codes() -> None:
    codes = {i: (get_definition(i).loinc.panel, get_definition(i).loinc.score)
             for i in INSTRUMENT_IDS}
    assert codes["odi"] == ("97908-8", "97909-6")
    assert codes["nrs"] == (None, "72514-3")
    assert codes["promis_pi_4a"] == (None, "77865-4")
    for iid in ("rmdq", "startback", "paindetect", "pcs", "csi", "tsk17", "acr2016"):
        assert codes[iid] == (None, None)
    assert get_definition("nrs").items[0].loinc == "72514-3"


def test_citation_walker_finds_uncited_numbers() -> None:
    found: list[str] = []
    _uncited_numbers({"a": {"cite": ["x"], "v": 3}, "b": {"w": [1.5, True]}}, "t", False, found)
    assert found == ["t.b.w[0]"]
