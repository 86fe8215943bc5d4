"""Outcome panels for the web workspace: a patient's outcomes (JSON) and report (PDF).

Mount with ``app.include_router(painmap.web.outcomes_routes.router)``. Both routes use
the same access rules as ``/api/patients/{id}`` (a patient's own record, clinicians'
patients in their care, admins; researchers get pseudonymised outcomes and no PDF), and
every read is audited by the store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from painmap.outcomes import patient_outcomes
from painmap.record.models import Patient
from painmap.web import services
from painmap.web.deps import CurrentUser, Forbidden, StateDep
from painmap.web.models import Message

router = APIRouter(prefix="/api", tags=["outcomes"])

PatientId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message},
    403: {"model": Message},
    404: {"model": Message},
}


@router.get("/patients/{patient_id}/outcomes", responses=ERRORS)
def read_outcomes(state: StateDep, who: CurrentUser, patient_id: PatientId) -> dict[str, Any]:
    """Treatment episodes with change from baseline, responder classes and durability."""
    real = services.resolve_api_patient(state, who, patient_id)
    chart = services.load_chart(state, who, real)
    patient = chart.patient
    if who.pseudonymised:
        patient = Patient.model_validate(services.pseudonymise(state, patient))
    out: dict[str, Any] = patient_outcomes(patient).model_dump(mode="json")
    return out


@router.get(
    "/patients/{patient_id}/report.pdf",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
)
def read_report(state: StateDep, who: CurrentUser, patient_id: PatientId) -> Response:
    """The printable clinical report (PDF) of one patient (not for researchers)."""
    if who.pseudonymised:
        raise Forbidden("reports are for the care team")
    from painmap.report.patient_pdf import report_pdf_bytes

    chart = services.load_chart(state, who, patient_id)
    pdf = report_pdf_bytes(chart.patient)
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="painmap-report.pdf"',
                 "Cache-Control": "no-store"},
    )
