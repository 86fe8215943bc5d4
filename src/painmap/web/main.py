"""The FastAPI application factory of painmap's clinic web app."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

import painmap
from painmap.core.errors import PainmapError, ValidationFailure
from painmap.instruments import load_content_pack
from painmap.store import NotFound, StoreNotReady
from painmap.web.core.config import WebSettings
from painmap.web.core.db import Database
from painmap.web.core.journal import JournalEntry, install_hook
from painmap.web.core.middleware import SecurityMiddleware
from painmap.web.deps import AppState, Forbidden, NotAuthenticated, NotFoundError
from painmap.web.routes import register_routes

log = logging.getLogger("painmap.web")

STATIC_DIR = Path(__file__).with_name("static")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/health"


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    state: AppState = request.app.state.painmap
    return state.templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "detail": detail, "who": getattr(request.state, "principal", None)},
        status_code=status,
    )


def _validation_items(exc: ValidationError | RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body",)]
        ctx = e.get("ctx") or {}
        item: dict[str, Any] = {"field": ".".join(loc) or "(body)", "message": e.get("msg", "")}
        if "expected" in ctx:
            item["allowed"] = str(ctx["expected"])
        items.append(item)
    return items


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _unauth(request: Request, _exc: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "not authenticated"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        log.warning("denied %s (role %s)", request.method, _role(request))
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=403)
        return _error_page(request, 403, "Not allowed", exc.detail)

    @app.exception_handler(NotFoundError)
    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", None) or "not found"
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=404)
        return _error_page(request, 404, "Not found", detail)

    @app.exception_handler(ValidationFailure)
    async def _invalid(request: Request, exc: ValidationFailure) -> Response:
        item: dict[str, Any] = {"field": exc.field, "message": exc.message}
        if exc.allowed is not None:
            item["allowed"] = exc.allowed
        if _wants_json(request):
            return JSONResponse({"detail": [item]}, status_code=422)
        return _error_page(request, 422, "Please check your input", str(exc))

    async def _invalid_input(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, ValidationError | RequestValidationError):  # pragma: no cover
            raise exc
        items = _validation_items(exc)
        if _wants_json(request):
            return JSONResponse({"detail": items}, status_code=422)
        text = "; ".join(f"{i['field']}: {i['message']}" for i in items)
        return _error_page(request, 422, "Please check your input", text)

    # pydantic errors raised in our code and request-parsing errors read the same way
    app.add_exception_handler(ValidationError, _invalid_input)
    app.add_exception_handler(RequestValidationError, _invalid_input)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        log.warning("database busy: %s %s", request.method, type(exc.orig).__name__)
        return JSONResponse(
            {"detail": "the database is busy; try again"}, status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(StoreNotReady)
    async def _not_ready(request: Request, exc: StoreNotReady) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(PainmapError)
    async def _painmap_error(request: Request, exc: PainmapError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return _error_page(request, 400, "Cannot do that", str(exc))


def _role(request: Request) -> str:
    who = getattr(request.state, "principal", None)
    return str(getattr(who, "role", "-"))


def make_templates() -> Jinja2Templates:
    """Jinja2 templates packaged with painmap.web (autoescaped)."""
    env = Environment(
        loader=PackageLoader("painmap.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


@asynccontextmanager
async def _frozen_start_heap(app: FastAPI) -> AsyncIterator[None]:
    """Move the start-up heap out of the garbage collector's sight (``gc.freeze``).

    The modules, models and templates loaded at start-up live as long as the server;
    freezing them keeps the collector's full passes short, so requests see no
    long pauses from scanning them again and again.
    """
    gc.collect()
    gc.freeze()
    yield


def create_app(
    database_url: str | None = None,
    *,
    settings: WebSettings | None = None,
    database: Database | None = None,
    demo: bool | None = None,
) -> FastAPI:
    """Build the painmap web app.

    Parameters
    ----------
    database_url : str, optional
        Database URL; default as for every painmap command (``$PAINMAP_DATABASE_URL`` or
        the embedded SQLite file). The database must be initialised (``painmap init``).
    settings : WebSettings, optional
        Session lifetimes, login limits, https cookies, clock (tests inject one).
    database : Database, optional
        An already opened database (tests, benchmarks).
    demo : bool, optional
        Whether the database is a demo database (shows demo logins on the login page);
        detected from the database when not given.

    Returns
    -------
    fastapi.FastAPI
        The application; its OpenAPI spec is served at ``/openapi.json``.
    """
    settings = settings or WebSettings()
    db = database if database is not None else Database(database_url)
    journal: list[JournalEntry] | None = [] if settings.audit_journal else None
    if journal is not None:
        install_hook()
    if demo is None:
        from painmap.web.demo import is_demo_database

        demo = is_demo_database(db)
    app = FastAPI(
        lifespan=_frozen_start_heap,
        title="painmap",
        version=painmap.__version__,
        description="Clinic web app and JSON API of painmap (chronic back pain mapping).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.painmap = AppState(
        db=db,
        settings=replace(settings),
        templates=make_templates(),
        journal=journal,
        demo=demo,
        content_pack=load_content_pack(settings.content_pack) if settings.content_pack else None,
    )
    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    register_routes(app)
    app.add_middleware(SecurityMiddleware, https=settings.https, journal=journal)

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        return RedirectResponse("/home", status_code=303)

    return app


#: Environment of :func:`app_from_environment` (set by ``painmap serve --workers N``).
ENV_HTTPS = "PAINMAP_WEB_HTTPS"
ENV_DEMO = "PAINMAP_WEB_DEMO"
ENV_CONTENT_PACK = "PAINMAP_CONTENT_PACK"


def app_from_environment() -> FastAPI:
    """The app as each worker process of ``painmap serve --workers N`` builds it.

    Reads ``$PAINMAP_DATABASE_URL``, ``$PAINMAP_WEB_HTTPS`` (``1`` for https cookies
    and HSTS), ``$PAINMAP_WEB_DEMO`` (``1``/``0``) and ``$PAINMAP_CONTENT_PACK``. Sessions,
    login limits and the audit chain live in the database, so workers share them.

    Returns
    -------
    fastapi.FastAPI
        The application.
    """
    pack = os.environ.get(ENV_CONTENT_PACK)
    demo = os.environ.get(ENV_DEMO)
    settings = WebSettings(
        https=os.environ.get(ENV_HTTPS) == "1", content_pack=Path(pack) if pack else None
    )
    app = create_app(settings=settings, demo=None if demo is None else demo == "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return app
