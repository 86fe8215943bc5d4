"""Patient pages: start page, pain drawing, questionnaires (own record only)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from painmap.bodymap import Quality
from painmap.core.errors import ValidationFailure
from painmap.record.models import InstrumentRecord, PainDrawingRecord
from painmap.web import questionnaires, services
from painmap.web.deps import CsrfDep, PatientUser, StateDep
from painmap.web.validation import check_record, describe_error
from painmap.web.views.charts import chart_markup

router = APIRouter(include_in_schema=False)

SAVED = {"drawing": "pain drawing", "questionnaire": "questionnaire"}
InstrumentId = Annotated[str, Path(max_length=32, pattern=r"^[a-z0-9_]+$")]


@router.get("/me")
def me(
    state: StateDep,
    request: Request,
    who: PatientUser,
    saved: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The patient's start page: what to fill before the visit."""
    return state.templates.TemplateResponse(
        request,
        "me.html",
        {"who": who, "questionnaires": questionnaires.offered(), "saved": SAVED.get(saved or "")},
    )


def _drawing_page(
    state: StateDep, request: Request, who: PatientUser, *, drawing_json: str = "",
    error: str | None = None, status: int = 200,
) -> Response:
    return state.templates.TemplateResponse(
        request,
        "drawing.html",
        {
            "who": who,
            "chart_front": chart_markup("front"),
            "chart_back": chart_markup("back"),
            "qualities": [q.value for q in Quality],
            "drawing_json": drawing_json,
            "error": error,
        },
        status_code=status,
    )


@router.get("/me/drawing")
def drawing_page(state: StateDep, request: Request, who: PatientUser) -> Response:
    """The body chart to mark and draw on."""
    return _drawing_page(state, request, who)


@router.post("/me/drawing", dependencies=[CsrfDep])
def drawing_submit(
    state: StateDep,
    request: Request,
    who: PatientUser,
    drawing: Annotated[str, Form(max_length=2_000_000)] = "",
) -> Response:
    """Store the drawing in today's encounter; re-show the page with the reason if invalid."""
    try:
        data: Any = json.loads(drawing or "{}")
        if not isinstance(data, dict):
            raise ValidationFailure("drawing", "must be a JSON object with marks and strokes")
        data["kind"] = "pain_drawing"
        record = PainDrawingRecord.model_validate(data)
        if not record.marks and not record.strokes:
            raise ValidationFailure("drawing", "mark at least one region or draw an area")
        check_record(record)
    except (ValueError, ValidationError, ValidationFailure) as exc:
        return _drawing_page(
            state, request, who, drawing_json=drawing, error=describe_error(exc), status=422
        )
    services.add_record(state, who, who.patient_id or "", record)
    return RedirectResponse("/me?saved=drawing", status_code=303)


def _questionnaire_page(
    state: StateDep, request: Request, who: PatientUser, instrument: str, *,
    answers: dict[str, str] | None = None, error: str | None = None, status: int = 200,
) -> Response:
    defn = questionnaires.web_definition(instrument)
    items, texts = questionnaires.form_items(defn, state.content_pack)
    return state.templates.TemplateResponse(
        request,
        "questionnaire.html",
        {"who": who, "q": defn, "items": items, "texts": texts, "answers": answers or {},
         "error": error},
        status_code=status,
    )


@router.get("/me/questionnaire/{instrument}")
def questionnaire_page(
    state: StateDep, request: Request, who: PatientUser, instrument: InstrumentId
) -> Response:
    """A questionnaire form built from its definition."""
    return _questionnaire_page(state, request, who, instrument)


@router.post("/me/questionnaire/{instrument}", dependencies=[CsrfDep])
async def questionnaire_submit(
    state: StateDep, request: Request, who: PatientUser, instrument: InstrumentId
) -> Response:
    """Validate and store the answers in today's encounter."""
    defn = questionnaires.web_definition(instrument)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        answers = questionnaires.answers_from_form(defn, fields)
        record = InstrumentRecord(instrument=defn.id, answers=answers)
    except (ValueError, ValidationError, ValidationFailure) as exc:
        return _questionnaire_page(
            state, request, who, instrument, answers=fields, error=describe_error(exc),
            status=422,
        )
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(services.add_record, state, who, who.patient_id or "", record)
    return RedirectResponse("/me?saved=questionnaire", status_code=303)
