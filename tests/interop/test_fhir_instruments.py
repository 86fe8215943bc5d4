"""FHIR R4 (R4B models): Questionnaire, QuestionnaireResponse, Observation, round trip."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from painmap.core.errors import ValidationFailure
from painmap.instruments import INSTRUMENT_IDS, get_definition, score
from painmap.instruments.definitions import InstrumentDefinition
from painmap.interop.fhir import (
    LOINC,
    answers_from_questionnaire_response,
    observation,
    questionnaire,
    questionnaire_response,
    to_json,
)


def _random_answers(defn: InstrumentDefinition, rng: random.Random) -> Any:
    values = [
        None if rng.random() < 0.15 else rng.choice(defn.scale_of(i).values) for i in defn.items
    ]
    if defn.answer_format == "paindetect":
        return {"sensory": values[:7], "course": values[7], "radiating": values[8]}
    if defn.answer_format == "acr2016":
        assert defn.wpi_sites is not None
        ns = len(defn.wpi_sites)
        sites = [s.id for s, v in zip(defn.wpi_sites, values[:ns], strict=True) if v == 1]
        return {
            "wpi_sites": None if rng.random() < 0.1 else sites,
            "sss": {str(i.key): v for i, v in zip(defn.items[ns:], values[ns:], strict=True)},
            "duration_months": None if rng.random() < 0.2 else rng.choice([0, 2.5, 3, 40]),
        }
    return values


@pytest.mark.parametrize("iid", INSTRUMENT_IDS)
def test_questionnaire_export(iid: str) -> None:
    defn = get_definition(iid)
    data = to_json(questionnaire(defn))
    assert data["resourceType"] == "Questionnaire" and data["status"] == "active"
    link_ids = [i["linkId"] for i in data["item"]]
    assert link_ids[: len(defn.items)] == defn.item_ids
    assert "_" not in data["id"]
    for item, qitem in zip(defn.items, data["item"], strict=False):
        scale = defn.scale_of(item)
        if qitem["type"] == "choice":
            assert len(qitem["answerOption"]) == len(scale.values)
        else:
            assert qitem["type"] == "boolean"
    # No copyrighted text: item texts are painmap's neutral labels.
    assert [i["text"] for i in data["item"][: len(defn.items)]] == [
        i.label for i in defn.items
    ]


def test_questionnaire_codes() -> None:
    odi = to_json(questionnaire(get_definition("odi")))
    assert odi["code"][0] == {"system": LOINC, "code": "97908-8",
                              "display": "Oswestry Disability Index"}
    promis = to_json(questionnaire(get_definition("promis_pi_4a")))
    codes = [o["valueCoding"]["code"] for o in promis["item"][0]["answerOption"]]
    assert codes == ["LA6568-5", "LA13863-8", "LA13909-9", "LA13902-4", "LA13914-9"]
    ordinals = [o["extension"][0]["valueDecimal"] for o in promis["item"][0]["answerOption"]]
    assert ordinals == [1, 2, 3, 4, 5]
    nrs = to_json(questionnaire(get_definition("nrs")))
    assert nrs["item"][0]["code"][0]["code"] == "72514-3"


def _canon(iid: str, answers: Any) -> Any:
    if iid == "acr2016" and answers["wpi_sites"] is not None:
        return {**answers, "wpi_sites": sorted(answers["wpi_sites"])}
    return answers


@pytest.mark.parametrize("iid", INSTRUMENT_IDS)
def test_response_round_trip(iid: str) -> None:
    defn = get_definition(iid)
    rng = random.Random(iid)
    for _ in range(60):
        answers = _random_answers(defn, rng)
        resource = questionnaire_response(iid, answers, subject="Patient/demo-1",
                                          authored="2026-11-23")
        text = json.dumps(to_json(resource))
        back_iid, back = answers_from_questionnaire_response(text)
        assert back_iid == iid
        assert _canon(iid, back) == _canon(iid, answers)
        assert score(iid, back) == score(iid, answers)


def test_response_leaves_out_missing_answers() -> None:
    data = to_json(questionnaire_response("odi", [1, None, 2, None, 0, 0, 0, 0, 0, 0]))
    assert [i["linkId"] for i in data["item"]] == [
        "odi_1", "odi_3", "odi_5", "odi_6", "odi_7", "odi_8", "odi_9", "odi_10"]
    assert data["questionnaire"] == "urn:painmap:questionnaire:odi|2.1a"


def _qr(iid: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": f"urn:painmap:questionnaire:{iid}|x", "item": items}


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        (_qr("unknown", []), "questionnaire"),
        ({**_qr("odi", []), "questionnaire": "http://example.org/q"}, "questionnaire"),
        (_qr("odi", [{"linkId": "odi_99", "answer": [{"valueBoolean": True}]}]),
         "item[0].linkId"),
        (_qr("odi", [{"linkId": "odi_1", "answer": [{"valueCoding": {"code": "statement_9"}}]}]),
         "item[0].answer[0]"),
        (_qr("odi", [{"linkId": "odi_1", "answer": [
            {"valueCoding": {"system": "http://other", "code": "statement_1"}}]}]),
         "item[0].answer[0].system"),
        (_qr("paindetect", [{"linkId": "paindetect_radiating",
                             "answer": [{"valueInteger": 1}]}]), "item[0].answer[0]"),
    ],
)
def test_import_rejects_foreign_content(resource: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailure) as info:
        answers_from_questionnaire_response(resource)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("iid", "answers", "loinc", "value", "unit"),
    [
        ("odi", [2] * 10, "97909-6", 40.0, "%"),
        ("nrs", [6], "72514-3", 6.0, "{score}"),
        ("promis_pi_4a", [2, 2, 2, 2], "77865-4", 55.6, "{T-score}"),
        ("pcs", [1] * 13, None, 13.0, "{score}"),
    ],
)
def test_observation(iid: str, answers: Any, loinc: str | None, value: float,
                     unit: str) -> None:
    res = score(iid, answers)
    data = to_json(observation(res, subject="Patient/demo-1", effective="2026-11-23",
                               derived_from="QuestionnaireResponse/r1"))
    codings = data["code"]["coding"]
    assert [c["code"] for c in codings if c["system"] == LOINC] == ([loinc] if loinc else [])
    assert {"system": "urn:painmap:score", "code": iid} in [
        {k: c[k] for k in ("system", "code")} for c in codings]
    assert data["valueQuantity"]["value"] == value and data["valueQuantity"]["unit"] == unit
    assert data["category"][0]["coding"][0]["code"] == "survey"
    components = {c["code"]["coding"][0]["code"]: c for c in data.get("component", [])}
    for name, sub in res.subscales.items():
        assert components[f"{iid}.{name}"]["valueQuantity"]["value"] == sub
    if res.category:
        cat = components[f"{iid}.category"]["valueCodeableConcept"]["coding"][0]["code"]
        assert cat == res.category


def test_observation_of_unscored_response() -> None:
    data = to_json(observation(score("startback", [1] * 8 + [None])))
    assert "valueQuantity" not in data
    assert data["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
