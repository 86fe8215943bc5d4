"""Web benchmark: p50/p95 latency at 50 concurrent clients on SQLite.

Scenarios, each against a uvicorn server in its own process on a loopback port:

1. a bare FastAPI endpoint returning a small JSON (baseline, same machine, same run);
2. a clinician opening a patient page (``GET /patient``: session check, one audited
   chart read, ranking, SVG trend plots, pain-map small multiples, template);
3. a patient submitting a pain drawing (``POST /api/patients/{id}/records``: session and
   CSRF check, validation against the chart, one audited write).

The database is the synthetic demo cohort (``painmap demo --patients 200 --seed 1``).
Run: ``.venv/bin/python benchmarks/bench_web.py [--requests N] [--concurrency C]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "painmap-demo-2026"
DRAWING = {
    "kind": "pain_drawing",
    "marks": [{"id": "b_lumbar_l4_mid", "intensity": 7, "qualities": ["aching"]}],
    "strokes": [{"view": "back", "points": [[262, 560], [266, 640], [270, 760]], "width": 10,
                 "intensity": 5, "quality": "shooting"}],
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_bare(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _serve_painmap(port: int, url: str) -> None:
    import uvicorn

    from painmap.web import create_app

    uvicorn.run(create_app(url), host="127.0.0.1", port=port, log_level="error",
                access_log=False)


def _wait(port: int) -> None:
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/health" if port else "", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


async def _load(
    n: int, concurrency: int, make: object
) -> list[float]:
    times: list[float] = []
    errors.clear()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                r = await make(client)  # type: ignore[operator]
                times.append((time.perf_counter() - t0) * 1000)
                if r.status_code >= 400:
                    errors.append(r.status_code)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return times


errors: list[int] = []


def _summary(name: str, times: list[float], wall: float) -> str:
    q = statistics.quantiles(times, n=100)
    return (f"| {name} | {len(times)} | {statistics.median(times):.1f} | {q[94]:.1f} | "
            f"{max(times):.1f} | {len(times) / wall:.0f} | {len(errors)} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--single", type=int, default=60,
                    help="requests with one client (latency without queueing)")
    ap.add_argument("--patients", type=int, default=200)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="painmap-bench-web-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    from painmap.cli import main as cli
    from painmap.web.core.db import Database
    from painmap.web.demo import ensure_demo_accounts

    try:
        cli(["demo", "--patients", str(args.patients), "--seed", "1", "--database", url])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    db = Database(url)
    ensure_demo_accounts(db)
    patient_id = db.store.patient_ids()[0]
    db.store.close()

    ctx = mp.get_context("spawn")
    bare_port, app_port = _port(), _port()
    procs = [ctx.Process(target=_serve_bare, args=(bare_port,), daemon=True),
             ctx.Process(target=_serve_painmap, args=(app_port, url), daemon=True)]
    for p in procs:
        p.start()
    try:
        for port in (bare_port, app_port):
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
        base = f"http://127.0.0.1:{app_port}"
        clin = httpx.post(f"{base}/api/auth/login",
                          json={"username": "demo.clinician", "password": PASSWORD})
        ccookie = {"painmap_session": clin.cookies["painmap_session"]}
        ccsrf = clin.json()["csrf_token"]
        httpx.post(f"{base}/patients/open", cookies=ccookie,
                   data={"patient_id": patient_id, "csrf_token": ccsrf})
        pat = httpx.post(f"{base}/api/auth/login",
                         json={"username": "demo.patient", "password": PASSWORD})
        pcookie = {"painmap_session": pat.cookies["painmap_session"]}
        pheaders = {"X-CSRF-Token": pat.json()["csrf_token"]}
        body = json.dumps({"record": DRAWING})

        scenarios = {
            "bare FastAPI endpoint (baseline)":
                lambda c: c.get(f"http://127.0.0.1:{bare_port}/bare"),
            "open patient page (GET /patient)":
                lambda c: c.get(f"{base}/patient", cookies=ccookie),
            "submit pain drawing (POST records)":
                lambda c: c.post(f"{base}/api/patients/{patient_id}/records", content=body,
                                 cookies=pcookie,
                                 headers={**pheaders, "content-type": "application/json"}),
        }
        print(f"SQLite, {args.patients} demo patients")
        print("| scenario | clients | requests | p50 ms | p95 ms | max ms | req/s | errors |")
        print("|---|---|---|---|---|---|---|---|")
        for name, make in scenarios.items():
            asyncio.run(_load(min(50, args.requests), args.concurrency, make))  # warm-up
            for clients, n in ((1, args.single), (args.concurrency, args.requests)):
                t0 = time.perf_counter()
                times = asyncio.run(_load(n, clients, make))
                print(_summary(f"{name} | {clients}", times, time.perf_counter() - t0))
                sys.stdout.flush()
    finally:
        for p in procs:
            p.terminate()
            p.join(timeout=5)


if __name__ == "__main__":
    main()
