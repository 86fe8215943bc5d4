"""Pages and API behaviour: questionnaires, clinician forms, research pseudonyms, audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from web_helpers import OTHER, OWN, WebEnv

from painmap.web import create_app
from painmap.web.core.config import WebSettings
from painmap.web.services import research_id


def _csrf(client: object) -> str:
    return str(client.get("/api/auth/me").json()["csrf_token"])  # type: ignore[attr-defined]


def test_questionnaire_without_pack_shows_ids_and_short_labels(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "pat")
    page = client.get("/me/questionnaire/odi").text
    assert "odi_1" in page and "Section 1: pain intensity" in page
    assert "licensed and not shipped" in page
    assert client.get("/me/questionnaire/acr2016").status_code == 422  # not a web form
    assert client.get("/me/questionnaire/nope").status_code == 422


def test_questionnaire_with_content_pack_shows_item_texts(web_env: WebEnv, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "odi.json").write_text(json.dumps({
        "instrument": "odi", "copyright": "test",
        "items": {"odi_1": {"text": "Licensed wording of section one",
                            "options": {"0": "First licensed statement"}}},
    }))
    from fastapi.testclient import TestClient

    settings = WebSettings(clock=web_env.clock, content_pack=pack)
    client = TestClient(create_app(settings=settings, database=web_env.db, demo=True))
    web_env.login(client, "pat")
    page = client.get("/me/questionnaire/odi").text
    assert "Licensed wording of section one" in page and "First licensed statement" in page
    assert "licensed and not shipped" not in page


def test_questionnaire_rejects_out_of_range_answer(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "pat")
    r = client.post("/me/questionnaire/nrs", data={"csrf_token": _csrf(client), "nrs_1": "11"})
    assert r.status_code == 422
    assert "nrs_1" in r.text and "allowed: 0, 1, 2" in r.text


def test_clinician_form_is_validated_server_side(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "doc")
    csrf = _csrf(client)
    client.post("/patients/open", data={"csrf_token": csrf, "patient_id": OWN})
    r = client.post("/patient/records/imaging",
                    data={"csrf_token": csrf, "modality": "mri", "finding": "disc_bulge"})
    assert r.status_code == 422
    assert "level: Level is required" in r.text
    assert "L4-L5" in r.text  # the allowed values are listed
    r = client.post("/patient/records/exam",
                    data={"csrf_token": csrf, "test": "slr", "result": "maybe"})
    assert r.status_code == 422 and "result" in r.text and "positive, negative" in r.text
    r = client.post("/patient/records/block", data={
        "csrf_token": csrf, "type": "medial_branch", "design": "single", "pre_pain": "8",
        "post_pain": "12"})
    assert r.status_code == 422 and "post_pain" in r.text
    r = client.post("/patient/records/exam", follow_redirects=False, data={
        "csrf_token": csrf, "test": "slr", "result": "positive", "root": "L5",
        "side": "right"})
    assert r.status_code == 303
    page = client.get("/patient").text
    assert "Saved: Examination test" in page and ">slr<" in page
    assert client.post("/patient/records/nonsense", data={"csrf_token": csrf}).status_code == 404


def test_api_add_record_rules(web_env: WebEnv) -> None:
    client = web_env.app()
    csrf = web_env.login(client, "pat")
    h = {"X-CSRF-Token": csrf}
    exam = {"record": {"kind": "exam", "test": "slr", "result": "positive"}}
    assert client.post(f"/api/patients/{OWN}/records", json=exam, headers=h).status_code == 403
    nrs = {"record": {"kind": "instrument", "instrument": "nrs", "answers": [4]}}
    assert client.post(f"/api/patients/{OTHER}/records", json=nrs, headers=h).status_code == 403
    bad = {"record": {"kind": "instrument", "instrument": "nrs", "answers": [11]}}
    r = client.post(f"/api/patients/{OWN}/records", json=bad, headers=h)
    assert r.status_code == 422 and "answers" in r.text
    unknown = {"record": {"kind": "pain_drawing",
                          "marks": [{"id": "not_a_region", "intensity": 3}]}}
    r = client.post(f"/api/patients/{OWN}/records", json=unknown, headers=h)
    assert r.status_code == 422 and "not_a_region" in r.text


def test_researcher_sees_only_pseudonyms(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "res")
    listing = client.get("/api/patients")
    assert listing.status_code == 200 and listing.json()["pseudonymised"] is True
    assert "demo-t-" not in listing.text
    state = client.app.state.painmap  # type: ignore[attr-defined]
    rid = research_id(state, OWN)
    assert rid in listing.text
    one = client.get(f"/api/patients/{rid}")
    assert one.status_code == 200 and "demo-t-" not in one.text
    assert one.json()["birth_year"] % 5 == 0
    assert client.get(f"/api/patients/{OWN}").status_code == 404
    export = client.get("/api/research/export")
    assert export.status_code == 200 and "demo-t-" not in export.text
    rows = [json.loads(line) for line in export.text.splitlines()]
    assert len(rows) == 4 and all(r["id"].startswith("R-") for r in rows)
    assert '"note"' not in export.text
    assert client.get("/research").status_code == 200
    csrf = _csrf(client)
    nrs = {"record": {"kind": "instrument", "instrument": "nrs", "answers": [4]}}
    r = client.post(f"/api/patients/{rid}/records", json=nrs, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403


def test_api_reads_and_writes_each_append_exactly_one_audit_row(web_env: WebEnv) -> None:
    from fastapi.testclient import TestClient

    app = create_app(settings=WebSettings(clock=web_env.clock, audit_journal=True),
                     database=web_env.db, demo=True)
    client = TestClient(app)
    csrf = web_env.login(client, "doc")
    h = {"X-CSRF-Token": csrf}
    client.get("/api/patients")
    client.get(f"/api/patients/{OWN}")
    client.get(f"/api/patients/{OWN}/ranking")
    client.post(f"/api/patients/{OWN}/records", headers=h,
                json={"record": {"kind": "imaging", "finding": "modic1", "level": "L4-L5"}})
    client.get(f"/api/patients/{OTHER}")  # denied: no row
    journal = app.state.painmap.journal
    by_route = {(e.method, e.route, e.status): e.audit_ids for e in journal}
    assert len(by_route[("GET", "/api/patients", 200)]) == 1
    assert len(by_route[("GET", "/api/patients/{patient_id}", 200)]) == 1
    assert len(by_route[("GET", "/api/patients/{patient_id}/ranking", 200)]) == 1
    assert len(by_route[("POST", "/api/patients/{patient_id}/records", 201)]) == 1
    assert by_route[("GET", "/api/patients/{patient_id}", 403)] == []
    # the write row holds who, role, what and the new value
    web_env.login(client, "adm")
    rows = client.get("/api/audit", params={"patient_id": OWN, "limit": 5}).json()["data"]
    write = next(r for r in rows if r["action"] == "create")
    assert write["actor"] == "doc" and write["role"] == "clinician"
    assert write["detail"]["new"]["finding"] == "modic1" or "records" in json.dumps(write)
    assert client.get("/api/audit/verify").json()["ok"] is True
    csv_text = client.get("/api/audit/export").text
    assert csv_text.startswith("id,at,actor,role,action")
    assert re.search(r",doc,clinician,create,", csv_text)


def test_clinician_lists_exactly_the_patients_in_their_care(web_env: WebEnv) -> None:
    client = web_env.app()
    web_env.login(client, "doc")
    listing = client.get("/api/patients").json()
    assert [p["id"] for p in listing["data"]] == [OWN, "demo-t-0003"]
    assert listing["count"] == 2
    page = client.get("/api/patients", params={"limit": 1, "offset": 1}).json()
    assert [p["id"] for p in page["data"]] == ["demo-t-0003"] and page["count"] == 2
    found = client.get("/api/patients", params={"search": "0003"}).json()
    assert [p["id"] for p in found["data"]] == ["demo-t-0003"]
    assert OTHER not in client.get("/api/patients", params={"search": "0002"}).text
