"""Dependencies shared by the routes: app state, the logged-in user, roles and CSRF.

Route signatures read like prose thanks to ``Annotated`` aliases::

    def read_patient(state: StateDep, who: CurrentUser, patient_id: str) -> ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from painmap.instruments import ContentPack
from painmap.store.security_models import WebSession, WebUser
from painmap.web import crud
from painmap.web.core.config import WebSettings
from painmap.web.core.db import Database
from painmap.web.core.journal import JournalEntry
from painmap.web.core.security import tokens_equal
from painmap.web.policy import Principal
from painmap.web.views.page_cache import ChartCache

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotAuthenticated(Exception):
    """No valid session: 401 for the API, a redirect to the login page for pages."""


class Forbidden(Exception):
    """Outside the caller's role or ownership: 403, never data."""

    def __init__(self, detail: str = "not allowed") -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(Exception):
    """Unknown resource (or one the caller may not know exists): 404."""

    def __init__(self, detail: str = "not found") -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class AppState:
    """Everything a request needs: database, settings, templates, audit journal.

    ``charts`` keeps the rendered chart part of clinicians' patient pages per chart
    version (:mod:`painmap.web.views.page_cache`).
    """

    db: Database
    settings: WebSettings
    templates: Jinja2Templates
    journal: list[JournalEntry] | None = None
    demo: bool = False
    content_pack: ContentPack | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    charts: ChartCache = field(default_factory=ChartCache)

    def pseudonym_key(self) -> str:
        """Key of the research pseudonyms (kept in the database, created once)."""
        key = self.cache.get("pseudonym_key")
        if key is None:
            with self.db.tx() as s:
                key = crud.get_or_create_setting(s, "pseudonym_key")
            self.cache["pseudonym_key"] = key
        return str(key)


async def get_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving the request (async: no thread hop)."""
    state: AppState = request.app.state.painmap
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def _principal(s: Session, row: WebSession, user: WebUser) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        patient_id=user.patient_id,
        session_id=row.id,
        csrf_token=row.csrf_token,
        data=dict(row.data or {}),
        care=frozenset(crud.assigned_patient_ids(s, user.id))
        if user.role == "clinician"
        else frozenset(),
    )


def get_principal(request: Request, state: StateDep) -> Principal:
    """The logged-in user, from the server-side session named by the cookie.

    Most requests only read the session (a read-only transaction, which never waits for
    a writer); when the session has expired or is due for its ``last_seen_at`` touch,
    it is checked again and updated in a write transaction.

    Raises
    ------
    NotAuthenticated
        No cookie, an unknown token, or an expired session (idle or absolute).
    """
    token = request.cookies.get(state.settings.cookie_name)
    if not token:
        raise NotAuthenticated()
    now = state.settings.clock()
    principal = None
    with state.db.read() as s:
        found = crud.peek_session(s, token)
        if found is None:
            raise NotAuthenticated()
        row, user = found
        write = crud.session_needs_write(row, user, state.settings, now=now)
        if not write and user is not None:
            principal = _principal(s, row, user)
    if principal is None:
        with state.db.tx() as s:
            loaded = crud.load_session(s, token, state.settings, now=now)
            if loaded is not None:
                principal = _principal(s, *loaded)
    if principal is None:
        raise NotAuthenticated()
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def csrf_protect(request: Request, who: CurrentUser) -> None:
    """Refuse unsafe requests without the session's CSRF token.

    The token comes in the ``X-CSRF-Token`` header (scripts, the JSON API) or in the
    ``csrf_token`` field of a form.
    """
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not tokens_equal(sent, who.csrf_token):
        raise Forbidden("missing or wrong CSRF token")


CsrfDep = Depends(csrf_protect)


def require_roles(*roles: str) -> Any:
    """Dependency that admits only the given roles (403 for the others)."""

    async def check(who: CurrentUser) -> Principal:
        if who.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}")
        return who

    return Depends(check)


PatientUser = Annotated[Principal, require_roles("patient")]
ClinicianUser = Annotated[Principal, require_roles("clinician")]
StaffReader = Annotated[Principal, require_roles("clinician", "admin")]
ResearcherUser = Annotated[Principal, require_roles("researcher")]
AdminUser = Annotated[Principal, require_roles("admin")]
