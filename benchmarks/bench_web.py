"""Web benchmark: server CPU per request, and p50/p95 latency at 50 concurrent clients.

Part 1, in-process (no sockets, no load generator): CPU time per request of each
scenario through the ASGI app (``httpx.ASGITransport``), beside a bare FastAPI endpoint
measured the same way in the same process.

Part 2, under load: two servers, each started the way a clinic starts it
(``painmap serve --workers W`` and a bare FastAPI app under ``uvicorn --workers W``),
driven by ``wrk`` (a C load generator that costs little CPU) with 50 connections, in two
load models:

* ``think``: 50 user sessions, each waiting an exponentially distributed think time
  (mean ``--think-ms``, default 1000 ms) between its requests (a realistic, still harsh,
  clinic load: about 50 requests per second offered);
* ``saturation``: 50 connections firing back-to-back with no think time (stress).

Scenarios: the bare endpoint (baseline); a clinician opening a patient page
(``GET /patient``: session check, one audited chart read, ranking, SVG trend plots,
pain maps, template); a patient submitting a pain drawing
(``POST /api/patients/{id}/records``: session and CSRF checks, validation, one audited
write). Page scenarios run before drawing scenarios, so every page view shows the same
chart. Each run records the server processes' CPU (from ``/proc``), wrk's own CPU and
the load average.

Each run also reports how long a durable one-row SQLite commit (WAL,
``synchronous=FULL``) takes on the same disk at its start and end: audited requests wait
for such commits, and on a virtual machine that time varies by an order of magnitude.

The database is the synthetic demo cohort (``painmap demo --patients 200 --seed 1``).
Run: ``.venv/bin/python benchmarks/bench_web.py [--duration S] [--workers W]``.
Part 2 needs ``wrk`` (Debian: ``apt-get install wrk``); without it only part 1 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

PASSWORD = "painmap-demo-2026"
DRAWING = {
    "kind": "pain_drawing",
    "marks": [{"id": "b_lumbar_l4_mid", "intensity": 7, "qualities": ["aching"]}],
    "strokes": [{"view": "back", "points": [[262, 560], [266, 640], [270, 760]], "width": 10,
                 "intensity": 5, "quality": "shooting"}],
}
BARE_APP = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
def bare() -> dict[str, str]:
    return {"status": "ok"}
'''
TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------ set-up


def make_database(tmp: Path, patients: int) -> tuple[str, str]:
    """The demo cohort with demo accounts; returns the URL and demo.patient's id."""
    url = f"sqlite:///{tmp / 'bench.db'}"
    from painmap.cli import main as cli
    from painmap.web.core.db import Database
    from painmap.web.demo import ensure_demo_accounts

    try:
        cli(["demo", "--patients", str(patients), "--seed", "1", "--database", url])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    db = Database(url)
    ensure_demo_accounts(db)
    patient_id = db.store.patient_ids()[0]
    db.store.close()
    return url, patient_id


@dataclass
class Sessions:
    """Logged-in demo sessions: the clinician (patient opened) and the patient."""

    clinician_cookie: str
    patient_cookie: str
    patient_csrf: str


async def login(client: httpx.AsyncClient, patient_id: str) -> Sessions:
    """Log in demo.clinician (and open the patient) and demo.patient."""
    r = await client.post("/api/auth/login",
                          json={"username": "demo.clinician", "password": PASSWORD})
    r.raise_for_status()
    ccookie, ccsrf = r.cookies["painmap_session"], r.json()["csrf_token"]
    r = await client.post("/patients/open", data={"patient_id": patient_id, "csrf_token": ccsrf},
                          cookies={"painmap_session": ccookie})
    if r.status_code != 303:
        raise RuntimeError(f"could not open the patient: {r.status_code}")
    client.cookies.clear()
    r = await client.post("/api/auth/login",
                          json={"username": "demo.patient", "password": PASSWORD})
    r.raise_for_status()
    s = Sessions(ccookie, r.cookies["painmap_session"], r.json()["csrf_token"])
    client.cookies.clear()
    return s


def commit_latency(folder: Path, n: int = 200) -> tuple[float, float]:
    """p50 and p95 ms of a one-row SQLite commit as the store makes it (WAL, FULL).

    The durable commit (an fsync of the write-ahead log) is what group commit shares
    between requests; on this virtual machine it has ranged from 0.25 to 6 ms, so each
    run reports it.
    """
    import sqlite3

    path = folder / "commit-probe.db"
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t VALUES (?)", (i,))
            con.execute("COMMIT")
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        con.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    times.sort()
    return times[n // 2], times[n * 95 // 100]


def print_commit_latency(folder: Path, when: str) -> None:
    """Print :func:`commit_latency` with the load average."""
    p50, p95 = commit_latency(folder)
    print(f"Durable one-row SQLite commit on this disk ({when}): p50 {p50:.2f} ms, "
          f"p95 {p95:.2f} ms; load average {os.getloadavg()[0]:.2f}", flush=True)


# ------------------------------------------------------- part 1: CPU per request


async def _cpu_per_request(
    name: str, call: Callable[[], Awaitable[httpx.Response]], n: int, expect: int
) -> tuple[str, float, float]:
    for _ in range(5):
        await call()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        r = await call()
        if r.status_code != expect:
            raise RuntimeError(f"{name}: HTTP {r.status_code}")
    wall = (time.perf_counter() - wall0) / n * 1000
    cpu = (time.process_time() - cpu0) / n * 1000
    return name, wall, cpu


async def in_process(url: str, patient_id: str, n: int) -> list[tuple[str, float, float]]:
    """CPU and wall ms per request through the ASGI app, no sockets."""
    from fastapi import FastAPI

    from painmap.web import create_app

    bare = FastAPI()

    @bare.get("/bare")
    def _bare() -> dict[str, str]:
        return {"status": "ok"}

    app = create_app(url)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://b") as b,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as a,
    ):
        s = await login(a, patient_id)
        page = {"painmap_session": s.clinician_cookie}
        pat = {"painmap_session": s.patient_cookie}
        body = json.dumps({"record": DRAWING})
        headers = {"X-CSRF-Token": s.patient_csrf, "content-type": "application/json"}

        def post() -> Awaitable[httpx.Response]:
            return a.post(f"/api/patients/{patient_id}/records", content=body,
                          cookies=pat, headers=headers)

        async def changed_page() -> httpx.Response:
            # the chart changed since the last view (a drawing came in): no cached view
            r = await post()
            if r.status_code != 201:
                raise RuntimeError(f"drawing: HTTP {r.status_code}")
            return await a.get("/patient", cookies=page)

        out = [
            await _cpu_per_request("bare FastAPI endpoint (baseline)",
                                   lambda: b.get("/bare"), n, 200),
            await _cpu_per_request("open patient page, chart unchanged",
                                   lambda: a.get("/patient", cookies=page), n, 200),
            await _cpu_per_request("submit pain drawing", post, n, 201),
            await _cpu_per_request("submit pain drawing + open the changed page",
                                   changed_page, n, 200),
        ]
        a.cookies.clear()
    return out


# ------------------------------------------------------------- part 2: load


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    total = 0.0
    for p, t in times.items():
        q = p
        while q and q != pid:
            q = parents.get(q, 0)
        if q == pid:
            total += t
    return total


def _wait_http(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_servers(tmp: Path, url: str, workers: int) -> tuple[list[subprocess.Popen[bytes]],
                                                              str, str]:
    """``painmap serve`` and a bare uvicorn app, each with ``workers`` processes."""
    (tmp / "bare_app.py").write_text(BARE_APP)
    bare_port, app_port = _port(), _port()
    bare_cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp), "bare_app:app",
                "--port", str(bare_port), "--log-level", "error", "--no-access-log"]
    app_cmd = [sys.executable, "-c", "from painmap.cli import main; main()", "serve",
               "--port", str(app_port), "--database", url]
    if workers != 1:
        bare_cmd += ["--workers", str(workers)]
        app_cmd += ["--workers", str(workers)]
    # the app logs one line per request (route template, status, time) to stderr
    logs = [(tmp / name).open("wb") for name in ("bare.log", "painmap.log")]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
             for cmd, log in zip((bare_cmd, app_cmd), logs, strict=True)]
    for log in logs:
        log.close()
    bare = f"http://127.0.0.1:{bare_port}"
    app = f"http://127.0.0.1:{app_port}"
    _wait_http(bare + "/bare", procs[0])
    _wait_http(app + "/health", procs[1])
    return procs, bare, app


def lua_script(
    method: str, headers: dict[str, str], body: str | None, think_ms: float
) -> str:
    """A wrk script: the request, an exponential think time, a JSON summary at the end."""
    lines = [f"wrk.method = {json.dumps(method)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    if think_ms > 0:
        lines += [
            "local counter = 0",
            "function init(args)",
            "  counter = counter + 1",
            "  math.randomseed(os.time() * 1000 + counter)",
            "end",
            "function delay()",
            f"  return math.floor(-math.log(1 - math.random()) * {think_ms:.1f})",
            "end",
        ]
    lines += [
        "function done(summary, latency, requests)",
        "  local e = summary.errors",
        '  io.write(string.format("BENCH {\\"requests\\":%d,\\"duration_us\\":%d,'
        '\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d,\\"max\\":%d,\\"status_errors\\":%d,'
        '\\"socket_errors\\":%d,\\"timeouts\\":%d}\\n",',
        "    summary.requests, summary.duration, latency:percentile(50),",
        "    latency:percentile(95), latency:percentile(99), latency.max, e.status,",
        "    e.connect + e.read + e.write, e.timeout))",
        "end",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class LoadResult:
    """One wrk run."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int
    socket_errors: int
    server_cpu: float
    wrk_cpu: float
    load: float

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds


def run_wrk(
    wrk: str, script: Path, target: str, connections: int, seconds: float, server_pid: int
) -> LoadResult:
    """Drive ``target`` with wrk for ``seconds``; latency in ms, CPU in ms per request."""
    cpu0 = _tree_cpu(server_pid)
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [wrk, "-t", "1", "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "60s",
         "-s", str(script), target],
        capture_output=True, text=True, check=True,
    ).stdout
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = _tree_cpu(server_pid) - cpu0
    load = os.getloadavg()[0]
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    d = json.loads(line[len("BENCH "):])
    n = max(1, int(d["requests"]))
    wrk_cpu = (child1.ru_utime + child1.ru_stime) - (child0.ru_utime + child0.ru_stime)
    return LoadResult(
        requests=int(d["requests"]), seconds=d["duration_us"] / 1e6,
        p50=d["p50"] / 1000, p95=d["p95"] / 1000, p99=d["p99"] / 1000, max=d["max"] / 1000,
        errors=int(d["status_errors"]) + int(d["timeouts"]), socket_errors=int(d["socket_errors"]),
        server_cpu=server_cpu / n * 1000, wrk_cpu=wrk_cpu / n * 1000, load=load,
    )


def under_load(args: argparse.Namespace, tmp: Path, url: str, patient_id: str) -> None:
    """Part 2: both load models, three scenarios, one table."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("\nwrk not found: the load part of this benchmark needs it "
              "(Debian/Ubuntu: apt-get install wrk). Skipped; part 1 above still holds.")
        return
    procs, bare, app = start_servers(tmp, url, args.workers)
    try:
        async def _login() -> Sessions:
            async with httpx.AsyncClient(base_url=app, timeout=60) as c:
                return await login(c, patient_id)

        s = asyncio.run(_login())
        scenarios = [
            ("bare FastAPI endpoint (baseline)", bare + "/bare", procs[0].pid, "GET", {}, None),
            ("open patient page (GET /patient)", app + "/patient", procs[1].pid, "GET",
             {"Cookie": f"painmap_session={s.clinician_cookie}"}, None),
            ("submit pain drawing (POST records)",
             f"{app}/api/patients/{patient_id}/records", procs[1].pid, "POST",
             {"Cookie": f"painmap_session={s.patient_cookie}", "X-CSRF-Token": s.patient_csrf,
              "Content-Type": "application/json"}, json.dumps({"record": DRAWING})),
        ]
        models = [("think", args.think_ms), ("saturation", 0.0)]
        print(f"\nUnder load: wrk, 1 thread, {args.connections} connections, "
              f"{args.duration:.0f} s per run, {args.workers} server worker process(es) each")
        print("| scenario | load model | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | "
              "errors | reconnects | server CPU ms/req | wrk CPU ms/req | load avg |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        results: dict[tuple[str, str], LoadResult] = {}
        for name, target, pid, method, headers, body in scenarios:
            for model, think in models:
                script = tmp / f"{model}-{len(results)}.lua"
                script.write_text(lua_script(method, headers, body, think))
                # short warm-up at the same load, not recorded
                run_wrk(wrk, script, target, args.connections, 3, pid)
                r = run_wrk(wrk, script, target, args.connections, args.duration, pid)
                results[(name, model)] = r
                label = f"{model} ({think / 1000:g} s)" if think else model
                print(f"| {name} | {label} | {r.requests} | {r.rate:.0f} | {r.p50:.1f} | "
                      f"{r.p95:.1f} | {r.p99:.1f} | {r.max:.1f} | {r.errors} | {r.socket_errors} | "
                      f"{r.server_cpu:.2f} | {r.wrk_cpu:.3f} | {r.load:.2f} |", flush=True)
        print("\nerrors: non-2xx/3xx answers and timeouts (60 s). reconnects: wrk's socket errors,"
              " after which it reconnects. In the think model uvicorn closes a connection idle"
              " for over 5 s (its keep-alive timeout): a think time over 5 s has probability"
              " e^-5 = 0.7 %, so a few per 1,000 requests are expected there.")
        base = scenarios[0][0]
        print("\nSame-run ratios to the bare endpoint (p95; req/s):")
        for name, *_ in scenarios[1:]:
            for model, _think in models:
                r, b = results[(name, model)], results[(base, model)]
                print(f"- {name}, {model}: p95 {r.p95 / b.p95:.1f}x, "
                      f"throughput {r.rate / b.rate:.2f}x")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--requests", type=int, default=200,
                    help="requests per scenario in the in-process part")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per load run")
    ap.add_argument("--think-ms", type=float, default=1000.0,
                    help="mean think time of the 'think' load model")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--in-process-only", action="store_true", help="skip the load part")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="painmap-bench-web-"))
    url, patient_id = make_database(tmp, args.patients)
    print(f"SQLite, {args.patients} demo patients; load average {os.getloadavg()[0]:.2f}")
    print_commit_latency(tmp, "start")
    print(f"\nIn-process (ASGI, no sockets), {args.requests} requests each:")
    print("| scenario | wall ms/req | CPU ms/req | CPU vs bare |")
    print("|---|---|---|---|")
    rows = asyncio.run(in_process(url, patient_id, args.requests))
    bare_cpu = rows[0][2]
    for name, wall, cpu in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / bare_cpu:.1f}x |")
    # the in-process part added drawings to the patient: start the load part afresh
    shutil.rmtree(tmp)
    if args.in_process_only:
        return
    tmp = Path(tempfile.mkdtemp(prefix="painmap-bench-web-"))
    url, patient_id = make_database(tmp, args.patients)
    try:
        under_load(args, tmp, url, patient_id)
        print_commit_latency(tmp, "end")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
