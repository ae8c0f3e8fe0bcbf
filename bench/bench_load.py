"""The Commerce queue under load: gunicorn on 127.0.0.1, a second process sending requests, a bare page.

The ratio is the queue's requests per second over those of the cheapest signed-in Django page on the
same server (session and user read, nothing else). Bounded: a fixed number of requests and a time cap.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.urls import NoReverseMatch, reverse

from bench.auth import signed_in_client
from bench.harness import RESULTS

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.5
REQUESTS = int(os.environ.get("EXPORTAI_BENCH_LOAD_REQUESTS", "300"))
CONCURRENCY = int(os.environ.get("EXPORTAI_BENCH_LOAD_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("EXPORTAI_BENCH_GUNICORN_WORKERS", "2"))
# The cache-off queue and its bare page take turns this many times (the same requests in all).
ROUNDS = int(os.environ.get("EXPORTAI_BENCH_LOAD_ROUNDS", "3"))
QUEUE_URL_NAMES = ["commerce-queue", "commerce-review-queue"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.settings"}


def _wait_until_up(port: int, server: subprocess.Popen, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def _load(port: int, path: str, cookie: str, requests: int = REQUESTS) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--port",
            str(port),
            "--path",
            path,
            "--cookie",
            cookie,
            "--requests",
            str(requests),
            "--concurrency",
            str(CONCURRENCY),
            "--max-seconds",
            "90",
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ratio(ours: dict, bare: dict) -> float:
    return ours["rps"] / bare["rps"] if bare["rps"] else 0.0


def _figure(run: dict) -> str:
    errors = {k: v for k, v in run["statuses"].items() if k != "200"}
    return f"{run['rps']:.1f} req/s (median {run['median_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms)" + (
        f" errors {errors}" if errors else ""
    )


def _combined(runs: list[dict]) -> dict:
    """One path's rounds as one run: requests over seconds, the slowest round's percentiles."""
    statuses: dict[str, int] = {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    seconds = sum(run["seconds"] for run in runs)
    requests = sum(run["requests"] for run in runs)
    return {
        "requests": requests,
        "statuses": statuses,
        "seconds": seconds,
        "rps": requests / seconds if seconds else 0.0,
        "median_ms": max(run["median_ms"] or 0 for run in runs),
        "p95_ms": max(run["p95_ms"] or 0 for run in runs),
    }


def _serve(extra_env: dict[str, str], paths: list[str], cookie: str, rounds: int = 1) -> list[dict] | None:
    """Start gunicorn with `extra_env`, warm it, load each path in turn; None if it did not start.

    With `rounds` > 1 the paths take turns (A B A B), each round a share of the requests, so that
    another process starting or stopping on the shared machine weighs on every path alike.
    """
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "exportai.wsgi:application",
        ],
        cwd=ROOT,
        env={**_env(), **extra_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if not _wait_until_up(port, server):
            return None
        _load(port, paths[0], cookie)  # warm both workers (imports, templates, connections, cache)
        share = max(REQUESTS // rounds, 1)
        turns = [[_load(port, path, cookie, share) for path in paths] for _ in range(rounds)]
        return [_combined([turn[i] for turn in turns]) for i in range(len(paths))]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def bench_commerce_queue_under_load(users: dict) -> None:
    for name in QUEUE_URL_NAMES:
        try:
            queue = reverse(name)
            break
        except NoReverseMatch:
            continue
    else:
        RESULTS.add(
            "Load", "Commerce queue under gunicorn", "skipped", met="no queue page on this branch yet"
        )
        return
    client = signed_in_client(users["commerce"])
    client.get(queue)  # a browser's first visit: sets the CSRF cookie its forms (and the page cache) use
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={client.cookies['csrftoken'].value}"
    bare_path = reverse("bench-bare-signed-in")
    floor_path = reverse("bench-queue-statements")
    layout_path = reverse("bench-layout-signed-in")
    untemplated_path = reverse("bench-queue-without-template")
    runs = {
        "page cache on (as deployed)": _serve({}, [queue, bare_path, reverse("bench-bare")], cookie),
        "page cache off": _serve(
            {"EXPORTAI_PAGE_CACHE_SECONDS": "0"},
            [queue, bare_path, floor_path, layout_path, untemplated_path],
            cookie,
            ROUNDS,
        ),
    }
    for label, run in runs.items():
        if run is None:
            RESULTS.add("Load", f"Commerce queue under gunicorn, {label}", "gunicorn did not start")
            continue
        ours, bare = run[0], run[1]
        RESULTS.add(
            "Load",
            f"Commerce queue, gunicorn {WORKERS} workers, {CONCURRENCY} clients, {label}",
            _figure(ours),
            baseline=_figure(bare),
            ratio=f"{_ratio(ours, bare):.2f}",
            goal=f">= {GOAL:g}",
            met="yes" if _ratio(ours, bare) >= GOAL else "no",
        )
    cached, uncached = runs["page cache on (as deployed)"], runs["page cache off"]
    if cached is not None:
        RESULTS.note(
            f"Load baseline is a signed-in bare page; an anonymous bare page served {_figure(cached[2])}."
        )
    if uncached is not None:
        # Not goals: rows to read a miss by (bench/floor.py, bench/baseline.py), each a page of the
        # rotation against another: (page, baseline page, measure, what the row is).
        queue_at, bare_at, floor_at, layout_at, untemplated_at = range(5)  # the rotation's order
        readings = [
            (
                floor_at,
                bare_at,
                "Commerce queue's statements alone (raw SQL: no ORM rows, form or template)",
                "(floor of the row above)",
            ),
            (
                queue_at,
                layout_at,
                "Commerce queue against an empty page in the portal's layout (not the goal's measure)",
                "(for reading)",
            ),
            (
                untemplated_at,
                bare_at,
                "Commerce queue without its template (same permission, filters, paging and rows; no HTML)",
                "(template at no cost)",
            ),
        ]
        for page, baseline, measure, reading in readings:
            RESULTS.add(
                "Load",
                f"{measure}, page cache off",
                _figure(uncached[page]),
                baseline=_figure(uncached[baseline]),
                ratio=f"{_ratio(uncached[page], uncached[baseline]):.2f}",
                goal=reading,
            )
        RESULTS.note(
            f"Load, page cache off: the queue, the bare page, the statements alone, the empty layout page "
            f"and the queue without its template took turns {ROUNDS} "
            f"times ({REQUESTS // ROUNDS} requests each a turn)."
        )
