"""ASGI middleware: security headers, request log without identifiers, audit journal."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from painmap.web.core.journal import JournalEntry, end_request, start_request

log = logging.getLogger("painmap.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/patients/{patient_id}``), never the path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "(unmatched)"


class SecurityMiddleware:
    """Add security headers to every response and log each request without identifiers.

    Responses carry a strict Content-Security-Policy (no inline script or style, no
    third-party origin), ``nosniff``, ``no-referrer``, frame denial, and
    ``Cache-Control: no-store`` on everything but static assets. Over https, HSTS too.
    The request log names the route template, status and duration only. When a journal
    list is given, each request's audit row ids are appended to it.
    """

    def __init__(
        self, app: ASGIApp, *, https: bool = False, journal: list[JournalEntry] | None = None
    ) -> None:
        self.app = app
        self.https = https
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        is_static = str(scope.get("path", "")).startswith("/static/")
        status_holder: dict[str, int] = {"status": 500}
        started = {"value": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["value"] = True
                status_holder["status"] = int(message["status"])
                headers: list[Any] = list(message.get("headers", []))
                names = {h[0].lower() for h in headers}

                def add(name: bytes, value: str) -> None:
                    if name not in names:
                        headers.append((name, value.encode()))

                add(b"content-security-policy", CSP)
                add(b"x-content-type-options", "nosniff")
                add(b"referrer-policy", "no-referrer")
                add(b"x-frame-options", "DENY")
                add(b"cross-origin-opener-policy", "same-origin")
                add(b"permissions-policy", "camera=(), microphone=(), geolocation=()")
                if is_static:
                    add(b"cache-control", "public, max-age=3600")
                else:
                    add(b"cache-control", "no-store")
                    add(b"pragma", "no-cache")
                if self.https:
                    add(b"strict-transport-security", "max-age=31536000; includeSubDomains")
                message["headers"] = headers
            await send(message)

        ids, token = start_request()
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Never let a traceback (which may hold ids in SQL parameters) reach a log or
            # a response: log the exception type and route only, answer a generic 500.
            log.error(
                "unhandled %s in %s %s", type(exc).__name__, scope.get("method", "?"),
                route_template(scope),
            )
            if not started["value"]:
                await send_wrapper(
                    {"type": "http.response.start", "status": 500,
                     "headers": [(b"content-type", b"application/json")]}
                )
                await send_wrapper(
                    {"type": "http.response.body", "body": b'{"detail":"internal error"}'}
                )
        finally:
            end_request(token)
            template = route_template(scope)
            status = status_holder["status"]
            if not is_static:
                log.info(
                    "%s %s %d %.1fms",
                    scope.get("method", "?"),
                    template,
                    status,
                    (time.perf_counter() - start) * 1000,
                )
            if self.journal is not None and not is_static:
                self.journal.append(
                    JournalEntry(str(scope.get("method", "?")), template, status, list(ids))
                )
