"""Admin pages: accounts, care assignments, audit chain status and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from painmap.core.errors import ValidationFailure
from painmap.store import Actor
from painmap.store import audit as audit_log
from painmap.web import crud
from painmap.web.deps import AdminUser, CsrfDep, StateDep
from painmap.web.models import UserCreate
from painmap.web.validation import describe_error

router = APIRouter(include_in_schema=False)


def _admin_page(
    state: StateDep, request: Request, who: AdminUser, *, error: str | None = None,
    message: str | None = None, status: int = 200,
) -> Response:
    with state.db.tx() as s:
        users = [
            {"username": u.username, "role": u.role, "patient_id": u.patient_id,
             "active": u.is_active,
             "patients": len(crud.assigned_patient_ids(s, u.id)) if u.role == "clinician" else None}
            for u in crud.list_users(s)
        ]
        chain = audit_log.verify_chain(s)
    return state.templates.TemplateResponse(
        request, "admin.html",
        {"who": who, "users": users, "chain": chain, "error": error, "message": message},
        status_code=status,
    )


@router.get("/admin")
def admin_page(state: StateDep, request: Request, who: AdminUser) -> Response:
    """Accounts, assignments and the audit chain status."""
    return _admin_page(state, request, who)


@router.post("/admin/users", dependencies=[CsrfDep])
def admin_add_user(
    state: StateDep,
    request: Request,
    who: AdminUser,
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    patient_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Create an account (validated: role, patient link, password policy)."""
    try:
        data = UserCreate(
            username=username, role=role, password=password,  # type: ignore[arg-type]
            patient_id=patient_id or None,
        )
        with state.db.tx() as s:
            user = crud.create_user(s, data, now=state.settings.clock())
            audit_log.append(
                s, Actor(who.username, who.role), "create", "user", entity_id=user.username,
                detail={"new": {"role": user.role}},
            )
    except (ValidationError, ValidationFailure) as exc:
        return _admin_page(state, request, who, error=describe_error(exc), status=422)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/assign", dependencies=[CsrfDep])
def admin_assign(
    state: StateDep,
    request: Request,
    who: AdminUser,
    clinician: Annotated[str, Form(max_length=64)] = "",
    patient_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Put a patient in a clinician's care."""
    try:
        if patient_id not in state.db.store.patient_ids():
            raise ValidationFailure("patient_id", "no patient with this id")
        with state.db.tx() as s:
            user = crud.get_user_by_username(s, clinician)
            if user is None or user.role != "clinician":
                raise ValidationFailure("clinician", "no clinician with this user name")
            crud.assign(s, user, patient_id, now=state.settings.clock())
            audit_log.append(
                s, Actor(who.username, who.role), "assign", "care_assignment",
                entity_id=user.username, patient_id=patient_id,
            )
    except ValidationFailure as exc:
        return _admin_page(state, request, who, error=describe_error(exc), status=422)
    return RedirectResponse("/admin", status_code=303)
