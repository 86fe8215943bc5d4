"""JSON API over patients: list, read, add records, ranking, research export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from painmap.web import services
from painmap.web.deps import CsrfDep, CurrentUser, ResearcherUser, StateDep
from painmap.web.models import Message, PatientsPublic, RecordCreate, RecordCreated

router = APIRouter(prefix="/api", tags=["patients"])

PatientId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message},
    403: {"model": Message},
    404: {"model": Message},
}


@router.get("/patients", response_model=PatientsPublic, responses=ERRORS)
def list_patients(
    state: StateDep,
    who: CurrentUser,
    search: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PatientsPublic:
    """Patients the caller may see: own record (patient), their care (clinician),
    all pseudonymised (researcher), all (admin)."""
    return services.list_patients(state, who, search=search, limit=limit, offset=offset)


@router.get("/patients/{patient_id}", responses=ERRORS)
def read_patient(state: StateDep, who: CurrentUser, patient_id: PatientId) -> dict[str, Any]:
    """One whole patient (encounters and records); pseudonymised for researchers."""
    real = services.resolve_api_patient(state, who, patient_id)
    chart = services.load_chart(state, who, real)
    if who.pseudonymised:
        return services.pseudonymise(state, chart.patient)
    out: dict[str, Any] = chart.patient.model_dump(mode="json")
    out["scores"] = chart.scores()
    return out


@router.post(
    "/patients/{patient_id}/records",
    response_model=RecordCreated,
    status_code=201,
    dependencies=[CsrfDep],
    responses={**ERRORS, 422: {"model": Message}},
)
def add_record(
    state: StateDep, who: CurrentUser, patient_id: PatientId, body: RecordCreate
) -> RecordCreated:
    """Add a record to the patient's current encounter (today's; opened when needed).

    Patients may add ``pain_drawing`` and ``instrument`` records to their own record;
    clinicians any kind for the patients in their care. Needs ``X-CSRF-Token``.
    """
    record = services.parse_record(body.record)
    from painmap.web.validation import check_record

    check_record(record)
    return services.add_record(state, who, patient_id, record)


@router.get("/patients/{patient_id}/ranking", responses=ERRORS)
def ranking(state: StateDep, who: CurrentUser, patient_id: PatientId) -> dict[str, Any]:
    """Ranked pain-generator candidates with contributions, citations and next tests."""
    from painmap.web.views.patient_view import ranking_json

    real = services.resolve_api_patient(state, who, patient_id)
    chart = services.load_chart(state, who, real)
    return ranking_json(chart.patient, today=services.today(state))


@router.get(
    "/research/export",
    responses={401: {"model": Message}, 403: {"model": Message}},
    response_class=StreamingResponse,
)
def research_export(state: StateDep, who: ResearcherUser) -> StreamingResponse:
    """Pseudonymised NDJSON of every patient (one audited read per patient)."""

    def lines() -> Iterator[bytes]:
        for patient in state.db.store.iter_patients(actor=services.actor(who)):
            row = services.pseudonymise(state, patient)
            yield (json.dumps(row, separators=(",", ":")) + "\n").encode()

    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="painmap-research.ndjson"'},
    )
