"""Property-based API fuzzing with schemathesis against the app's own OpenAPI spec.

Fixed seed (derandomised Hypothesis), bounded examples per operation, run as an
anonymous caller and as a logged-in clinician: no response may be a 5xx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from web_helpers import PASSWORD, build_env

from painmap.web import create_app
from painmap.web.core.config import WebSettings

EXAMPLES = 20


@pytest.mark.parametrize("who", ["anonymous", "clinician"])
def test_no_server_errors(tmp_path: Path, who: str) -> None:
    env = build_env(tmp_path)
    app = create_app(settings=WebSettings(clock=env.clock), database=env.db, demo=True)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    kwargs: dict[str, Any] = {}
    if who == "clinician":
        r = TestClient(app).post("/api/auth/login", json={"username": "doc", "password": PASSWORD})
        assert r.status_code == 200
        kwargs = {
            "cookies": {"painmap_session": r.cookies["painmap_session"]},
            "headers": {"X-CSRF-Token": r.json()["csrf_token"]},
        }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error], **kwargs)

        run()
    env.db.store.close()
