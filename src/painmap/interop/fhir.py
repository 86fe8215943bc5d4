"""FHIR R4 export and import of questionnaires, responses and scores.

Uses the ``fhir.resources`` R4B models (FHIR 4.3), whose Questionnaire,
QuestionnaireResponse and Observation are wire-compatible with FHIR R4 for every
element used here.

- :func:`questionnaire`: an instrument definition as a Questionnaire (item ids as
  ``linkId``, answer codes as ``answerOption.valueCoding`` with the numeric value in the
  ``ordinalValue`` extension; neutral labels, or licensed texts from a content pack).
- :func:`questionnaire_response`: one response as a QuestionnaireResponse (missing
  answers are left out).
- :func:`observation`: a score as an Observation, coded with LOINC where a code exists
  (ODI 97909-6, pain NRS 72514-3, PROMIS PI T-score 77865-4), plus a painmap code.
- :func:`answers_from_questionnaire_response`: the way back, validated.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from painmap.core.errors import ValidationFailure
from painmap.instruments import (
    INSTRUMENT_IDS,
    ContentPack,
    InstrumentDefinition,
    ScoreResult,
    get_definition,
    item_label,
    normalize_answers,
    option_label,
)
from painmap.instruments.definitions import AnswerValue, Item, ResponseScale

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
#: painmap's own URIs (URNs, so nothing pretends to resolve on the web).
QUESTIONNAIRE_BASE = "urn:painmap:questionnaire:"
ANSWER_SYSTEM_BASE = "urn:painmap:answers:"
SCORE_SYSTEM = "urn:painmap:score"
CATEGORY_SYSTEM_BASE = "urn:painmap:category:"
DURATION_LINK_ID = "acr2016_duration_months"


def to_json(resource: Any) -> dict[str, Any]:
    """A fhir.resources model as a plain JSON-compatible dict."""
    data: dict[str, Any] = json.loads(resource.model_dump_json())
    return data


def fhir_id(instrument_id: str) -> str:
    """FHIR resource id of an instrument (FHIR ids allow no ``_``)."""
    return instrument_id.replace("_", "-")


def canonical(defn: InstrumentDefinition) -> str:
    """Canonical URL (with version) of an instrument's Questionnaire."""
    return f"{QUESTIONNAIRE_BASE}{defn.id}|{defn.version}"


def _is_int_scale(scale: ResponseScale) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in scale.values)


def _is_bool_scale(scale: ResponseScale) -> bool:
    return all(isinstance(v, bool) for v in scale.values)


def _answer_system(defn: InstrumentDefinition, item: Item) -> str:
    scale = defn.scale_of(item)
    if scale.loinc_answers is not None:
        return LOINC
    return f"{ANSWER_SYSTEM_BASE}{defn.id}:{item.scale}"


def _coding(defn: InstrumentDefinition, item: Item, value: AnswerValue) -> dict[str, Any]:
    scale = defn.scale_of(item)
    k = next(
        i
        for i, v in enumerate(scale.values)
        if v == value and isinstance(v, bool) == isinstance(value, bool)
    )
    code = scale.loinc_answers[k] if scale.loinc_answers is not None else scale.codes[k]
    return {"system": _answer_system(defn, item), "code": code, "display": scale.codes[k]}


def _qitem(defn: InstrumentDefinition, item: Item, pack: ContentPack | None) -> dict[str, Any]:
    scale = defn.scale_of(item)
    out: dict[str, Any] = {"linkId": item.id, "text": item_label(defn, item.id, pack)}
    if item.loinc:
        out["code"] = [{"system": LOINC, "code": item.loinc}]
    if _is_bool_scale(scale):
        out["type"] = "boolean"
        return out
    out["type"] = "choice"
    options = []
    for k, value in enumerate(scale.values):
        coding = _coding(defn, item, value)
        coding["display"] = option_label(defn, item.id, value, pack)
        option: dict[str, Any] = {"valueCoding": coding}
        if _is_int_scale(scale):
            option["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": value}]
        elif scale.points is not None:
            option["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": scale.points[k]}]
        options.append(option)
    out["answerOption"] = options
    return out


def questionnaire(defn: InstrumentDefinition, pack: ContentPack | None = None) -> Questionnaire:
    """Export an instrument definition as a FHIR Questionnaire.

    Parameters
    ----------
    defn : InstrumentDefinition
        The instrument.
    pack : ContentPack, optional
        Licensed item texts; without one, painmap's neutral labels are used.

    Returns
    -------
    fhir.resources.R4B.questionnaire.Questionnaire
    """
    items = [_qitem(defn, item, pack) for item in defn.items]
    if defn.duration is not None:
        items.append({"linkId": DURATION_LINK_ID, "text": defn.duration.label, "type": "decimal"})
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": fhir_id(defn.id),
        "url": f"{QUESTIONNAIRE_BASE}{defn.id}",
        "version": defn.version,
        "name": "".join(p.capitalize() for p in defn.id.split("_")),
        "title": defn.name,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": defn.licence.text,
        "item": items,
    }
    if defn.loinc.panel:
        data["code"] = [
            {"system": LOINC, "code": defn.loinc.panel, "display": defn.loinc.panel_display}
        ]
    return Questionnaire.model_validate(data)


def _answer(defn: InstrumentDefinition, item: Item, value: AnswerValue) -> dict[str, Any]:
    scale = defn.scale_of(item)
    if _is_bool_scale(scale):
        return {"valueBoolean": value}
    return {"valueCoding": _coding(defn, item, value)}


def questionnaire_response(
    instrument_id: str,
    answers: list[Any] | dict[str, Any],
    *,
    subject: str | None = None,
    authored: str | None = None,
    response_id: str | None = None,
) -> QuestionnaireResponse:
    """Export one response as a FHIR QuestionnaireResponse.

    Parameters
    ----------
    instrument_id : str
        Instrument id.
    answers : list or dict
        The response, as accepted by :func:`painmap.instruments.score` (validated here).
    subject : str, optional
        Reference to the (pseudonymous) patient, e.g. ``"Patient/p-001"``.
    authored : str, optional
        ISO date or date-time the answers were given.
    response_id : str, optional
        Resource id.

    Returns
    -------
    fhir.resources.R4B.questionnaireresponse.QuestionnaireResponse
        Missing answers are omitted; status is ``completed``.
    """
    defn = get_definition(instrument_id)
    norm = normalize_answers(defn, answers)
    items = [
        {"linkId": item.id, "answer": [_answer(defn, item, v)]}
        for item, v in zip(defn.items, norm.values, strict=True)
        if v is not None
    ]
    if norm.duration_months is not None:
        items.append(
            {"linkId": DURATION_LINK_ID, "answer": [{"valueDecimal": norm.duration_months}]}
        )
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(defn),
        "status": "completed",
        "item": items or None,
    }
    if subject is not None:
        data["subject"] = {"reference": subject}
    if authored is not None:
        data["authored"] = authored
    if response_id is not None:
        data["id"] = response_id
    return QuestionnaireResponse.model_validate(data)


def _value_from_answer(
    defn: InstrumentDefinition, item: Item, answer: Any, field: str
) -> AnswerValue:
    scale = defn.scale_of(item)
    if _is_bool_scale(scale):
        if answer.valueBoolean is None:
            raise ValidationFailure(field, "expected valueBoolean", ["true", "false"])
        return bool(answer.valueBoolean)
    coding = answer.valueCoding
    codes = scale.loinc_answers if scale.loinc_answers is not None else scale.codes
    if coding is None or coding.code not in codes:
        raise ValidationFailure(field, "expected a valueCoding of the item's answers", codes)
    if coding.system is not None and coding.system != _answer_system(defn, item):
        raise ValidationFailure(
            f"{field}.system",
            f"unexpected code system {coding.system!r}",
            [_answer_system(defn, item)],
        )
    return scale.values[codes.index(coding.code)]


def answers_from_questionnaire_response(
    response: QuestionnaireResponse | dict[str, Any] | str,
) -> tuple[str, list[Any] | dict[str, Any]]:
    """Import a QuestionnaireResponse made by :func:`questionnaire_response`.

    Parameters
    ----------
    response : QuestionnaireResponse, dict or str
        The resource, as a model, parsed JSON or JSON text.

    Returns
    -------
    tuple of (str, list or dict)
        The instrument id and the answers in painmap's form (``None`` = missing).

    Raises
    ------
    ValidationFailure
        For an unknown questionnaire, unknown ``linkId`` or answer outside the item's
        answer list.
    """
    if isinstance(response, str):
        qr = QuestionnaireResponse.model_validate_json(response)
    elif isinstance(response, dict):
        qr = QuestionnaireResponse.model_validate(response)
    else:
        qr = response
    ref = str(qr.questionnaire or "")
    instrument = ref.removeprefix(QUESTIONNAIRE_BASE).split("|")[0]
    if not ref.startswith(QUESTIONNAIRE_BASE) or instrument not in INSTRUMENT_IDS:
        raise ValidationFailure(
            "questionnaire",
            f"not a painmap questionnaire: {ref!r}",
            [f"{QUESTIONNAIRE_BASE}{i}" for i in INSTRUMENT_IDS],
        )
    defn = get_definition(instrument)
    by_id = {item.id: item for item in defn.items}
    values: dict[str, AnswerValue] = {}
    months: float | None = None
    for k, qitem in enumerate(qr.item or []):
        field = f"item[{k}]"
        link = qitem.linkId
        if not qitem.answer:
            continue
        if len(qitem.answer) != 1:
            raise ValidationFailure(f"{field}.answer", "expected one answer", ["1 answer"])
        ans = qitem.answer[0]
        if link == DURATION_LINK_ID and defn.duration is not None:
            if not isinstance(ans.valueDecimal, Decimal | int | float):
                raise ValidationFailure(f"{field}.answer", "expected valueDecimal", [">= 0"])
            months = float(ans.valueDecimal)
            continue
        if link not in by_id:
            raise ValidationFailure(f"{field}.linkId", f"unknown item {link!r}", list(by_id))
        values[link] = _value_from_answer(defn, by_id[link], ans, f"{field}.answer[0]")
    answers = _painmap_form(defn, values, months)
    normalize_answers(defn, answers)
    return defn.id, answers


def _painmap_form(
    defn: InstrumentDefinition, values: dict[str, AnswerValue], months: float | None
) -> list[Any] | dict[str, Any]:
    if defn.answer_format == "paindetect":
        return {
            "sensory": [values.get(i.id) for i in defn.group_items("sensory")],
            "course": values.get(defn.group_items("course")[0].id),
            "radiating": values.get(defn.group_items("radiating")[0].id),
        }
    if defn.answer_format == "acr2016":
        wpi = defn.group_items("wpi_sites")
        answered = [i for i in wpi if i.id in values]
        return {
            "wpi_sites": [i.site for i in wpi if values.get(i.id) == 1] if answered else None,
            "sss": {str(i.key): values.get(i.id) for i in defn.group_items("sss")},
            "duration_months": months,
        }
    return [values.get(i.id) for i in defn.items]


def observation(
    result: ScoreResult,
    *,
    subject: str | None = None,
    effective: str | None = None,
    derived_from: str | None = None,
) -> Observation:
    """Export a score as a FHIR Observation.

    Parameters
    ----------
    result : ScoreResult
        From :func:`painmap.instruments.score`.
    subject : str, optional
        Reference to the (pseudonymous) patient.
    effective : str, optional
        ISO date or date-time of the response.
    derived_from : str, optional
        Reference to the QuestionnaireResponse, e.g. ``"QuestionnaireResponse/r1"``.

    Returns
    -------
    fhir.resources.R4B.observation.Observation
        Coded with LOINC where a code exists and always with ``urn:painmap:score``;
        subscales and the category are components. An unscored response gets a
        ``dataAbsentReason`` instead of a value.
    """
    defn = get_definition(result.instrument)
    codings = []
    if defn.loinc.score:
        codings.append(
            {"system": LOINC, "code": defn.loinc.score, "display": defn.loinc.score_display}
        )
    codings.append({"system": SCORE_SYSTEM, "code": defn.id, "display": f"{defn.name} score"})
    unit = "{T-score}" if defn.scoring.method == "table" else "%" if defn.id == "odi" else "{score}"
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": codings, "text": f"{defn.short_name} score"},
    }
    if result.score is None:
        data["dataAbsentReason"] = {
            "coding": [{"system": DATA_ABSENT, "code": "not-performed"}],
            "text": result.note,
        }
    else:
        data["valueQuantity"] = {
            "value": result.score,
            "unit": unit,
            "system": UCUM,
            "code": unit,
        }
    components = []
    for name, value in result.subscales.items():
        if value is None:
            continue
        components.append(
            {
                "code": {"coding": [{"system": SCORE_SYSTEM, "code": f"{defn.id}.{name}"}]},
                "valueQuantity": {
                    "value": value,
                    "unit": "{score}",
                    "system": UCUM,
                    "code": "{score}",
                },
            }
        )
    if result.category is not None:
        components.append(
            {
                "code": {"coding": [{"system": SCORE_SYSTEM, "code": f"{defn.id}.category"}]},
                "valueCodeableConcept": {
                    "coding": [
                        {"system": f"{CATEGORY_SYSTEM_BASE}{defn.id}", "code": result.category}
                    ]
                },
            }
        )
    if components:
        data["component"] = components
    if subject is not None:
        data["subject"] = {"reference": subject}
    if effective is not None:
        data["effectiveDateTime"] = effective
    if derived_from is not None:
        data["derivedFrom"] = [{"reference": derived_from}]
    return Observation.model_validate(data)
