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


def _load(port: int, path: str, cookie: str) -> dict:
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
            str(REQUESTS),
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


def _figure(run: dict) -> str:
    errors = {k: v for k, v in run["statuses"].items() if k != "200"}
    return f"{run['rps']:.1f} req/s (median {run['median_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms)" + (
        f" errors {errors}" if errors else ""
    )


def _serve(extra_env: dict[str, str], paths: list[str], cookie: str) -> list[dict] | None:
    """Start gunicorn with `extra_env`, warm it, load each path in turn; None if it did not start."""
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
        return [_load(port, path, cookie) for path in paths]
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
    runs = {
        "page cache on (as deployed)": _serve({}, [queue, bare_path, reverse("bench-bare")], cookie),
        "page cache off": _serve({"EXPORTAI_PAGE_CACHE_SECONDS": "0"}, [queue, bare_path], cookie),
    }
    for label, run in runs.items():
        if run is None:
            RESULTS.add("Load", f"Commerce queue under gunicorn, {label}", "gunicorn did not start")
            continue
        ours, bare = run[0], run[1]
        ratio = ours["rps"] / bare["rps"] if bare["rps"] else 0.0
        RESULTS.add(
            "Load",
            f"Commerce queue, gunicorn {WORKERS} workers, {CONCURRENCY} clients, {label}",
            _figure(ours),
            baseline=_figure(bare),
            ratio=f"{ratio:.2f}",
            goal=f">= {GOAL:g}",
            met="yes" if ratio >= GOAL else "no",
        )
        if len(run) > 2:
            RESULTS.note(
                f"Load baseline is a signed-in bare page; an anonymous bare page served {_figure(run[2])}."
            )
