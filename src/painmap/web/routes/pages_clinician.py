"""Clinician workspace: patient list with search, patient page, data-entry forms.

Patient ids never appear in page URLs: opening a patient posts its id, which is kept in
the server-side session; the patient page then reads "the open patient".
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError

from painmap.core.errors import ValidationFailure
from painmap.outcomes import patient_outcomes
from painmap.store.security_models import WebSession
from painmap.web import crud, forms, services
from painmap.web.deps import ClinicianUser, CsrfDep, NotFoundError, StateDep
from painmap.web.policy import Principal
from painmap.web.validation import check_record, describe_error

router = APIRouter(include_in_schema=False)

FormKind = Annotated[str, Path(max_length=32, pattern=r"^[a-z_]+$")]


def _set_session(state: StateDep, who: Principal, **values: Any) -> None:
    with state.db.tx() as s:
        row = s.get(WebSession, who.session_id)
        if row is not None:
            crud.set_session_data(s, row, **values)


@router.get("/patients")
def patient_list(state: StateDep, request: Request, who: ClinicianUser) -> Response:
    """Patients in the clinician's care, filtered by the search kept in the session."""
    search = str(who.data.get("search") or "")
    page = services.list_patients(state, who, search=search, limit=200, offset=0)
    return state.templates.TemplateResponse(
        request, "patients.html", {"who": who, "patients": page.data, "search": search},
    )


@router.post("/patients/search", dependencies=[CsrfDep])
def patient_search(
    state: StateDep, who: ClinicianUser, q: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Keep the search text in the session (not in the URL) and show the list."""
    _set_session(state, who, search=q.strip())
    return RedirectResponse("/patients", status_code=303)


@router.post("/patients/open", dependencies=[CsrfDep])
def patient_open(
    state: StateDep,
    who: ClinicianUser,
    patient_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    """Open a patient in the care of this clinician (403 otherwise)."""
    services.check_read(state, who, patient_id)
    _set_session(state, who, patient=patient_id)
    return RedirectResponse("/patient", status_code=303)


#: Stands for the CSRF token in the kept blank forms (cannot occur in a token, which is
#: URL-safe base64).
TOKEN_SLOT = "@@csrf-token@@"


def _entry_forms(
    state: StateDep, who: Principal, errors: dict[str, str], values: dict[str, Any]
) -> Markup:
    """The data-entry forms; without errors or values, from one kept rendering."""
    module: Any = state.templates.env.get_template("patient_forms.html").module
    if errors or values:
        return Markup(module.entry_forms(forms.FORMS, errors, values, who.csrf_token))
    blank = state.cache.get("blank_entry_forms")
    if blank is None:
        blank = str(module.entry_forms(forms.FORMS, {}, {}, TOKEN_SLOT))
        state.cache["blank_entry_forms"] = blank
    return Markup(blank.replace(TOKEN_SLOT, str(escape(who.csrf_token))))


def _patient_page(
    state: StateDep, request: Request, who: ClinicianUser, *, errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None, saved: str | None = None, status: int = 200,
) -> Response:
    patient_id = who.data.get("patient")
    if not patient_id:
        return RedirectResponse("/patients", status_code=303)
    context = {
        "chart": services.patient_page_chart(state, who, str(patient_id)),
        "entry_forms": _entry_forms(state, who, errors or {}, values or {}),
        "who": who, "saved": saved,
    }
    return state.templates.TemplateResponse(request, "patient.html", context, status_code=status)


@router.get("/patient")
def patient_page(state: StateDep, request: Request, who: ClinicianUser) -> Response:
    """The open patient: trends, pain maps, findings, ranking, next tests, forms."""
    saved = who.data.get("saved")
    if saved:
        _set_session(state, who, saved=None)
    return _patient_page(state, request, who, saved=str(saved) if saved else None)


@router.get("/patient/outcomes")
def patient_outcomes_page(state: StateDep, request: Request, who: ClinicianUser) -> Response:
    """The open patient's treatment episodes with change from baseline and responders."""
    patient_id = who.data.get("patient")
    if not patient_id:
        return RedirectResponse("/patients", status_code=303)
    chart = services.load_chart(state, who, str(patient_id))
    return state.templates.TemplateResponse(
        request, "outcomes.html", {"who": who, "outcomes": patient_outcomes(chart.patient)}
    )


@router.get("/patient/report.pdf")
def patient_report(state: StateDep, who: ClinicianUser) -> Response:
    """The open patient's printable clinical report (PDF); no id in the URL."""
    from painmap.report.patient_pdf import report_pdf_bytes

    patient_id = who.data.get("patient")
    if not patient_id:
        return RedirectResponse("/patients", status_code=303)
    chart = services.load_chart(state, who, str(patient_id))
    return Response(
        content=report_pdf_bytes(chart.patient),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="painmap-report.pdf"'},
    )


@router.post("/patient/records/{kind}", dependencies=[CsrfDep])
async def patient_add(
    state: StateDep, request: Request, who: ClinicianUser, kind: FormKind
) -> Response:
    """Validate a clinician form server-side and add the record to today's encounter."""
    from starlette.concurrency import run_in_threadpool

    if kind not in forms.FORMS:
        raise NotFoundError(f"unknown form {kind!r}")
    patient_id = who.data.get("patient")
    if not patient_id:
        return RedirectResponse("/patients", status_code=303)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        raw = forms.record_from_form(kind, form)
        record = services.parse_record(raw)
        check_record(record)
    except (ValidationError, ValidationFailure, ValueError) as exc:
        message = describe_error(exc)
        return await run_in_threadpool(
            lambda: _patient_page(
                state, request, who, errors={kind: message}, values={kind: values}, status=422
            )
        )
    await run_in_threadpool(services.add_record, state, who, str(patient_id), record)
    await run_in_threadpool(_set_session, state, who, saved=forms.FORMS[kind][0])
    return RedirectResponse("/patient", status_code=303)
