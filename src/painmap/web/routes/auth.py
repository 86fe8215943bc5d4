"""Logging in and out: the JSON API (``/api/auth/*``) and the login page.

Sessions are server-side and rotated at login (a new random token; any session the
browser had is ended). Cookies are HttpOnly, SameSite=Lax, and Secure with the
``__Host-`` prefix when served over https.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from painmap.store import Actor
from painmap.store import audit as audit_log
from painmap.web import crud
from painmap.web.core.security import digest, new_token, tokens_equal
from painmap.web.deps import CsrfDep, CurrentUser, StateDep
from painmap.web.models import LoginRequest, LoginResponse, Message, UserPublic

router = APIRouter(tags=["auth"])

LOGIN_CSRF_COOKIE = "painmap_login_csrf"
HOME_BY_ROLE = {
    "patient": "/me",
    "clinician": "/patients",
    "researcher": "/research",
    "admin": "/admin",
}


@dataclass
class LoginResult:
    """Outcome of a login attempt."""

    status: int
    token: str | None = None
    response: LoginResponse | None = None
    retry_after: int = 0


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def perform_login(state: StateDep, request: Request, username: str, password: str) -> LoginResult:
    """Check credentials, end any old session, start a new one; audit the outcome."""
    settings = state.settings
    with state.db.tx() as s:
        outcome = crud.authenticate(s, username, password, _client(request), settings)
        if outcome.status == "limited":
            audit_log.append(s, Actor("-", "-"), "login_locked", "session")
            return LoginResult(429, retry_after=outcome.retry_after)
        if outcome.status == "invalid" or outcome.user is None:
            audit_log.append(s, Actor("-", "-"), "login_failed", "session")
            return LoginResult(401)
        user = outcome.user
        old = request.cookies.get(settings.cookie_name)
        if old:
            from painmap.store.security_models import WebSession

            row = s.get(WebSession, digest(old))
            if row is not None:
                crud.end_session(s, row)
        now = settings.clock()
        token, session_row = crud.create_session(s, user, now=now)
        audit_log.append(s, Actor(user.username, user.role), "login", "session")
        body = LoginResponse(
            user=UserPublic(
                username=user.username,
                role=user.role,  # type: ignore[arg-type]
                patient_id=user.patient_id,
                is_active=user.is_active,
            ),
            csrf_token=session_row.csrf_token,
            idle_timeout_seconds=int(settings.idle_timeout.total_seconds()),
            absolute_timeout_seconds=int(settings.absolute_timeout.total_seconds()),
        )
    return LoginResult(200, token=token, response=body)


def set_session_cookie(state: StateDep, response: Response, token: str) -> None:
    """Attach the session cookie (HttpOnly, SameSite=Lax, Secure over https)."""
    response.set_cookie(
        state.settings.cookie_name,
        token,
        httponly=True,
        samesite="lax",
        secure=state.settings.https,
        path="/",
    )


def perform_logout(state: StateDep, who: CurrentUser) -> None:
    """End the session server-side and audit it."""
    from painmap.store.security_models import WebSession

    with state.db.tx() as s:
        row = s.get(WebSession, who.session_id)
        if row is not None:
            crud.end_session(s, row)
        audit_log.append(s, Actor(who.username, who.role), "logout", "session")


# ------------------------------------------------------------------------------ API


@router.post(
    "/api/auth/login",
    response_model=LoginResponse,
    responses={401: {"model": Message}, 429: {"model": Message}},
)
def api_login(state: StateDep, request: Request, body: LoginRequest) -> Response:
    """Log in with ``{"username", "password"}``: 200 and a session cookie, 401, or 429."""
    result = perform_login(state, request, body.username, body.password)
    if result.status == 429:
        return JSONResponse(
            {"detail": "too many failed attempts; try again later"},
            status_code=429,
            headers={"Retry-After": str(result.retry_after)},
        )
    if result.status != 200 or result.token is None or result.response is None:
        return JSONResponse({"detail": "wrong user name or password"}, status_code=401)
    response = JSONResponse(result.response.model_dump(mode="json"))
    set_session_cookie(state, response, result.token)
    return response


@router.post(
    "/api/auth/logout",
    response_model=Message,
    dependencies=[CsrfDep],
    responses={401: {"model": Message}, 403: {"model": Message}},
)
def api_logout(state: StateDep, who: CurrentUser) -> Response:
    """End the current session (needs the ``X-CSRF-Token`` header)."""
    perform_logout(state, who)
    response = JSONResponse({"detail": "logged out"})
    response.delete_cookie(state.settings.cookie_name, path="/")
    return response


@router.get("/api/auth/me", response_model=LoginResponse, responses={401: {"model": Message}})
def api_me(state: StateDep, who: CurrentUser) -> LoginResponse:
    """Who is logged in, and the CSRF token of the session."""
    return LoginResponse(
        user=UserPublic(
            username=who.username,
            role=who.role,  # type: ignore[arg-type]
            patient_id=who.patient_id,
        ),
        csrf_token=who.csrf_token,
        idle_timeout_seconds=int(state.settings.idle_timeout.total_seconds()),
        absolute_timeout_seconds=int(state.settings.absolute_timeout.total_seconds()),
    )


# ---------------------------------------------------------------------------- pages


def _login_page(
    state: StateDep, request: Request, *, error: str | None = None, status: int = 200
) -> Response:
    token = new_token()
    response = state.templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "demo": state.demo, "who": None},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=state.settings.https, path="/login",
    )
    return response


@router.get("/login", include_in_schema=False)
def login_page(state: StateDep, request: Request) -> Response:
    """The login form."""
    return _login_page(state, request)


@router.post("/login", include_in_schema=False)
def login_submit(
    state: StateDep,
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Check the login form (double-submit CSRF token), then go to the role's home."""
    if not tokens_equal(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(
            state, request, error="The form expired; please try again.", status=403
        )
    if not username or not password:
        return _login_page(state, request, error="Enter your user name and password.", status=422)
    result = perform_login(state, request, username, password)
    if result.status == 429:
        minutes = max(1, result.retry_after // 60)
        return _login_page(
            state, request, status=429,
            error=f"Too many failed attempts. Try again in about {minutes} minutes.",
        )
    if result.status != 200 or result.token is None or result.response is None:
        return _login_page(state, request, error="Wrong user name or password.", status=401)
    response = RedirectResponse(HOME_BY_ROLE[result.response.user.role], status_code=303)
    set_session_cookie(state, response, result.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False, dependencies=[CsrfDep])
def logout_submit(state: StateDep, who: CurrentUser) -> Response:
    """End the session and go back to the login page."""
    perform_logout(state, who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(state.settings.cookie_name, path="/")
    return response


@router.get("/home", include_in_schema=False)
def home(who: CurrentUser) -> Response:
    """Send each role to its start page."""
    return RedirectResponse(HOME_BY_ROLE.get(who.role, "/login"), status_code=303)
