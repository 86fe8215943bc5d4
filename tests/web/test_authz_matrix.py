"""Every route x role x (own record / someone else's), generated from the app's routes.

``EXPECTED`` is the specification: for each (method, path template) the roles that may
use it. A route of the app missing from it fails :func:`test_every_route_has_a_rule`,
so a new route cannot ship without an access rule. Requests outside a role or ownership
must get 401/403/404 and never patient data.
"""

from __future__ import annotations

import pytest
from web_helpers import OTHER, OWN, WebEnv

from painmap.web.routes import route_table

ALL = frozenset({"patient", "clinician", "researcher", "admin"})
NONE: frozenset[str] = frozenset()
#: (method, path) -> roles allowed; "own" routes are also checked with another's record.
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): frozenset({"anonymous"}) | ALL,
    ("GET", "/openapi.json"): frozenset({"anonymous"}) | ALL,
    ("GET", "/"): frozenset({"anonymous"}) | ALL,
    ("POST", "/api/auth/login"): frozenset({"anonymous"}) | ALL,
    ("GET", "/login"): frozenset({"anonymous"}) | ALL,
    ("POST", "/login"): frozenset({"anonymous"}) | ALL,
    ("POST", "/api/auth/logout"): ALL,
    ("GET", "/api/auth/me"): ALL,
    ("POST", "/logout"): ALL,
    ("GET", "/home"): ALL,
    ("GET", "/api/patients"): ALL,
    ("GET", "/api/patients/{patient_id}"): ALL,  # ownership-checked
    ("GET", "/api/patients/{patient_id}/ranking"): ALL,  # ownership-checked
    ("GET", "/api/patients/{patient_id}/outcomes"): ALL,  # ownership-checked, pseudonymised
    ("GET", "/api/patients/{patient_id}/report.pdf"): frozenset({"patient", "clinician", "admin"}),
    ("POST", "/api/patients/{patient_id}/records"): frozenset({"patient", "clinician"}),
    ("GET", "/api/research/export"): frozenset({"researcher"}),
    ("GET", "/api/audit"): frozenset({"admin"}),
    ("GET", "/api/audit/verify"): frozenset({"admin"}),
    ("GET", "/api/audit/export"): frozenset({"admin"}),
    ("GET", "/me"): frozenset({"patient"}),
    ("GET", "/me/drawing"): frozenset({"patient"}),
    ("POST", "/me/drawing"): frozenset({"patient"}),
    ("GET", "/me/questionnaire/{instrument}"): frozenset({"patient"}),
    ("POST", "/me/questionnaire/{instrument}"): frozenset({"patient"}),
    ("GET", "/patients"): frozenset({"clinician"}),
    ("POST", "/patients/search"): frozenset({"clinician"}),
    ("POST", "/patients/open"): frozenset({"clinician"}),  # ownership-checked
    ("GET", "/patient"): frozenset({"clinician"}),
    ("GET", "/patient/report.pdf"): frozenset({"clinician"}),
    ("GET", "/patient/outcomes"): frozenset({"clinician"}),
    ("POST", "/patient/records/{kind}"): frozenset({"clinician"}),
    ("GET", "/research"): frozenset({"researcher"}),
    ("GET", "/admin"): frozenset({"admin"}),
    ("POST", "/admin/users"): frozenset({"admin"}),
    ("POST", "/admin/assign"): frozenset({"admin"}),
}
LOGIN_ROUTES = {("POST", "/api/auth/login"), ("POST", "/login")}
USER_OF_ROLE = {"patient": "pat", "clinician": "doc", "researcher": "res", "admin": "adm"}
DRAWING = '{"marks": [{"id": "b_lumbar_l4_mid", "intensity": 5, "qualities": []}], "strokes": []}'


def _routes(env: WebEnv) -> list[tuple[str, str]]:
    return route_table(list(env.app().app.routes))  # type: ignore[attr-defined]


def test_every_route_has_a_rule(web_env: WebEnv) -> None:
    routes = _routes(web_env)
    missing = [r for r in routes if r not in EXPECTED]
    assert not missing, f"routes without an access rule: {missing}"
    stale = [r for r in EXPECTED if r not in routes]
    assert not stale, f"rules for routes that do not exist: {stale}"
    assert len(routes) >= 30


def _request(client: object, method: str, path: str, patient: str, csrf: str) -> object:
    url = (path.replace("{patient_id}", patient).replace("{instrument}", "nrs")
           .replace("{kind}", "exam"))
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(url, follow_redirects=False)  # type: ignore[attr-defined]
    if url == "/api/auth/login":
        return client.post(url, json={"username": "nobody", "password": "wrong one"})  # type: ignore[attr-defined]
    if url.startswith("/api/patients/"):
        body = {"record": {"kind": "instrument", "instrument": "nrs", "answers": [4]}}
        return client.post(url, json=body, headers=headers)  # type: ignore[attr-defined]
    form = {"csrf_token": csrf, "patient_id": patient, "drawing": DRAWING, "nrs_1": "4",
            "q": "", "test": "slr", "result": "positive", "username": "", "password": ""}
    return client.post(url, data=form, follow_redirects=False)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["anonymous", "patient", "clinician", "researcher", "admin"])
@pytest.mark.parametrize("whose", ["own", "other"])
def test_route_role_matrix(web_env: WebEnv, role: str, whose: str) -> None:
    routes = [r for r in _routes(web_env) if r not in {("POST", "/api/auth/logout"),
                                                        ("POST", "/logout")}]
    patient = OWN if whose == "own" else OTHER
    failures = []
    client = web_env.app()
    csrf = web_env.login(client, USER_OF_ROLE[role]) if role != "anonymous" else ""
    for method, path in routes:
        if path == "/patient" and role == "clinician":
            client.post("/patients/open", data={"csrf_token": csrf, "patient_id": OWN})
        r = _request(client, method, path, patient, csrf)
        status = r.status_code  # type: ignore[attr-defined]
        allowed = role in EXPECTED[(method, path)]
        owned_route = "{patient_id}" in path or path == "/patients/open"
        if whose == "other" and owned_route and role in ("patient", "clinician"):
            allowed = False  # someone else's record
        if path.startswith("/api/patients/{patient_id}") and role == "researcher":
            allowed = False  # researchers address patients by research pseudonym only
        if (method, path) in LOGIN_ROUTES:
            if status >= 500:  # a wrong password is 401/403 by design
                failures.append((method, path, status, "server error"))
        elif allowed:
            if status in (401, 403) or status >= 500:
                failures.append((method, path, status, "should be allowed"))
        else:
            denied = status in (401, 403, 404) or (status == 303 and role == "anonymous")
            if not denied:
                failures.append((method, path, status, "should be denied"))
            body = r.text  # type: ignore[attr-defined]
            assert patient not in body or path in ("/patients/open",), (method, path)
    assert not failures, failures


def test_no_patient_identifier_in_page_urls(web_env: WebEnv) -> None:
    """Pages never take a patient id in the path; only the JSON API (as specified) does."""
    for method, path in _routes(web_env):
        if "{patient_id}" in path:
            assert path.startswith("/api/"), (method, path)
    client = web_env.app()
    web_env.login(client, "doc")
    page = client.get("/patients").text
    assert "href=\"/patient?" not in page and f"/{OWN}" not in page
