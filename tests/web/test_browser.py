"""End to end in headless Chromium: a patient draws and answers, a clinician sees it.

Uses Debian's /usr/bin/chromium through Playwright (never a downloaded browser). The
server runs in a thread on a loopback port. After the flow, the audit journal shows
exactly one audit row for every request that read or wrote patient data, the chain
verifies, and editing one row breaks it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from web_helpers import OWN, PASSWORD, WebEnv

from painmap.cli import main as cli_main
from painmap.store import audit as audit_log
from painmap.web import create_app
from painmap.web.core.config import WebSettings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Screenshots go to docs/img only when asked (PAINMAP_SCREENSHOTS=1), else a temp dir.
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
#: Routes whose successful requests read or write patient data.
PATIENT_ROUTES = {
    ("POST", "/me/drawing"),
    ("POST", "/me/questionnaire/{instrument}"),
    ("GET", "/patients"),
    ("GET", "/patient"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(fresh_env: WebEnv) -> Iterator[tuple[str, WebEnv, object]]:
    app = create_app(
        settings=WebSettings(audit_journal=True), database=fresh_env.db, demo=True
    )
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", fresh_env, app
    srv.should_exit = True
    thread.join(timeout=10)


def _login(page: object, base: str, username: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]


def _drag(page: object, svg_box: dict[str, float], points: list[tuple[float, float]]) -> None:
    """Drag through chart coordinates (400 x 1000 chart space) on the visible chart."""
    sx = svg_box["width"] / 400.0
    sy = svg_box["height"] / 1000.0
    mouse = page.mouse  # type: ignore[attr-defined]
    x0, y0 = points[0]
    mouse.move(svg_box["x"] + x0 * sx, svg_box["y"] + y0 * sy)
    mouse.down()
    for x, y in points[1:]:
        mouse.move(svg_box["x"] + x * sx, svg_box["y"] + y * sy, steps=4)
    mouse.up()


def test_patient_draws_and_answers_then_clinician_sees_it(
    server: tuple[str, WebEnv, object], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env, app = server
    shots = DOCS_IMG if os.environ.get("PAINMAP_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # ---- the patient, on a phone-sized screen
        phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                    has_touch=True)
        page = phone.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _login(page, base, "pat")
        expect(page).to_have_url(f"{base}/me")
        page.click("text=Pain drawing")
        expect(page.locator('.chart[data-view="back"] svg')).to_be_visible()
        # the page fits a 375-px screen: no horizontal scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # mark the lower back (lumbar midline L4 and L5) by click and by keyboard
        page.click('[data-region="b_lumbar_l4_mid"]')
        page.focus('[data-region="b_lumbar_l5_mid"]')
        page.keyboard.press("Enter")
        # a touch tap marks a region too; Undo takes it back
        page.tap('[data-region="b_buttock_r"]')
        expect(page.locator("#marks > li")).to_have_count(3)
        page.click("#undo")
        expect(page.locator("#marks > li")).to_have_count(2)
        # draw on the right posterior leg (back view: the patient's right is on the right)
        box = page.locator('.chart[data-view="back"] svg').bounding_box()
        assert box is not None
        _drag(page, box, [(262, 560), (266, 620), (268, 680), (270, 760), (272, 840)])
        marks = page.locator("#marks > li")
        expect(marks).to_have_count(3)
        # intensities: 8 for L4, 6 for L5, 5 for the drawn leg area; a quality chip each
        sliders = page.locator("#marks input.intensity")
        sliders.nth(0).fill("8")
        sliders.nth(1).fill("6")
        page.locator("#marks > li").nth(0).locator('[data-quality="aching"]').click()
        page.locator("#marks > li").nth(2).locator('[data-quality="shooting"]').click()
        # undo removes the last change, redo by clicking again
        page.click("#undo")
        expect(page.locator("#marks > li").nth(2).locator('[data-quality="shooting"]')
               ).to_have_attribute("aria-pressed", "false")
        page.locator("#marks > li").nth(2).locator('[data-quality="shooting"]').click()
        page.screenshot(path=str(shots / "web_patient_drawing.png"), full_page=True)
        page.click("#submit-drawing")
        expect(page.locator(".ok")).to_contain_text("pain drawing")
        # NRS 7
        page.click("text=Pain NRS")
        page.check('input[name="nrs_1"][value="7"]')
        page.click("text=Save answers")
        expect(page.locator(".ok")).to_contain_text("questionnaire")
        # ODI: answers 3,2,2,1,3,2,2,(skip),2,3
        page.click("text=ODI")
        for item, value in zip(range(1, 11), [3, 2, 2, 1, 3, 2, 2, None, 2, 3], strict=True):
            if value is not None:
                page.check(f'input[name="odi_{item}"][value="{value}"]')
        page.click("text=Save answers")
        expect(page.locator(".ok")).to_contain_text("questionnaire")
        page.click("text=Log out")
        expect(page).to_have_url(f"{base}/login")
        assert not errors, errors
        phone.close()

        # ---- the clinician, on a desktop screen
        desk = browser.new_context(viewport={"width": 1366, "height": 900})
        page = desk.new_page()
        _login(page, base, "doc")
        expect(page).to_have_url(f"{base}/patients")
        page.click(f'button[aria-label="Open {OWN}"]')
        expect(page).to_have_url(f"{base}/patient")
        expect(page.locator("#kpi-nrs")).to_have_text("7")
        expect(page.locator("#kpi-odi")).to_have_text("44")  # 20 / 45 * 100 = 44.4
        figures = page.locator(".multiple")
        expect(figures).to_have_count(2)
        latest = figures.nth(1)
        expect(latest).to_contain_text("2 regions, 1 drawn areas, max 8/10")
        assert "L5 (spinous process)" in (latest.text_content() or "")
        expect(page.locator("#ranking .ranking li").first).to_be_visible()
        page.screenshot(path=str(shots / "web_clinician_test.png"), full_page=True)
        desk.close()
        browser.close()

    # ---- the ranking changed with the new drawing (the API ranks on today's data)
    from painmap.generators import evidence_from_record, rank

    before = env.db.store.get_patient(OWN, actor=audit_log.Actor("test", "admin"))
    assert before.encounters[-1].id.startswith("w")  # today's encounter, opened by the web app
    kinds = [r.kind for r in before.encounters[-1].records]
    assert kinds == ["pain_drawing", "instrument", "instrument"]
    earlier = before.model_copy(update={"encounters": before.encounters[:-1]})
    now_top = rank(evidence_from_record(before), with_interval=False).candidates
    then_top = rank(evidence_from_record(earlier), with_interval=False).candidates
    assert [c.posterior for c in now_top] != [c.posterior for c in then_top]

    # ---- audit completeness: one row per request that read or wrote patient data
    journal = app.state.painmap.journal  # type: ignore[attr-defined]
    checked = 0
    for entry in journal:
        rows = entry.audit_ids
        if (entry.method, entry.route) in PATIENT_ROUTES and entry.status < 400:
            assert len(rows) == 1, entry
            checked += 1
        elif entry.route not in ("/login", "/logout"):
            assert rows == [], entry
    assert checked >= 5
    all_ids = [i for e in journal for i in e.audit_ids]
    assert len(all_ids) == len(set(all_ids))

    url = env.url
    cli_main(["audit", "verify", "--database", url])  # returns normally when intact
    edit = text("UPDATE audit_log SET actor = 'mallory' WHERE id = :i")
    # the database refuses the edit
    with pytest.raises(DBAPIError, match="append-only"), env.db.engine.begin() as conn:
        conn.execute(edit, {"i": all_ids[0]})
    with env.db.engine.begin() as conn:  # someone with rights over the schema can edit,
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(edit, {"i": all_ids[0]})
    with pytest.raises(SystemExit) as broken:  # ...and the chain shows it
        cli_main(["audit", "verify", "--database", url])
    assert broken.value.code == 1
