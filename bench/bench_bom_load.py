"""Benchmark: sign-in latency while four hostile bill-of-materials imports run beside it.

gunicorn (the production shape: 4 sync workers) serves the test database; four threads send the
one-row-of-a-million-cells XLSX (the costliest file to read under the upload limit) to the import API
again and again, while sign-ins at /api/auth/token/ are timed. The goal: sign-in latency under 2x its
idle value. Figures only, never asserted (the machine is shared).
"""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.db import connection

from accounts.tokens import token_issue
from proposals.core.enums import ConsortiumUserRole
from tests.factories import TEST_PASSWORD, ConsortiumUserFactory, ProposalFactory
from tests.security import hostile_files as files

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("EXPORTAI_BENCH_GUNICORN_WORKERS", "4"))
SIGN_INS = 8
IMPORTERS = 4
GOAL_RATIO = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "exportai.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(WORKERS), "--timeout", "60", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )


def _wait(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            requests.get(f"{base}/accounts/login/", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def _sign_ins(base: str, username: str) -> list[float]:
    took = []
    for _ in range(SIGN_INS):
        started = time.perf_counter()
        response = requests.post(
            f"{base}/api/auth/token/", json={"username": username, "password": TEST_PASSWORD}, timeout=120
        )
        took.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:200]
    return took


@pytest.mark.django_db(transaction=True)
def test_bench_sign_in_beside_hostile_imports():
    member = ConsortiumUserFactory(role=ConsortiumUserRole.LEAD, user__username="bench-lead")
    proposal = ProposalFactory(consortium=member.consortium, created_by=member.user)
    # The importing editor's own token: each sign-in below issues the lead one more, dropping the oldest.
    editor = ConsortiumUserFactory(
        consortium=member.consortium, role=ConsortiumUserRole.EDITOR, user__username="bench-editor"
    )
    key = token_issue(user=editor.user)[1]
    hostile = files.wide_row_xlsx()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(port)
    try:
        _wait(base, server)
        _sign_ins(base, "bench-lead")  # warm every worker's imports
        idle = _sign_ins(base, "bench-lead")
        stop = threading.Event()
        outcomes: Counter[int] = Counter()

        def importer() -> None:
            while not stop.is_set():
                response = requests.post(
                    f"{base}/api/proposals/{proposal.pk}/line-items/import/",
                    headers={"Authorization": f"Token {key}"},
                    files={"file": ("bom.xlsx", hostile)},
                    timeout=120,
                )
                outcomes[response.status_code] += 1

        threads = [threading.Thread(target=importer) for _ in range(IMPORTERS)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        loaded = _sign_ins(base, "bench-lead")
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    idle_median, loaded_median = statistics.median(idle), statistics.median(loaded)
    ratio = loaded_median / idle_median
    print(
        f"\nSign-in beside {IMPORTERS} hostile imports (gunicorn, {WORKERS} sync workers): "
        f"idle median {idle_median * 1000:.0f} ms, loaded median {loaded_median * 1000:.0f} ms, "
        f"max {max(loaded) * 1000:.0f} ms; ratio {ratio:.2f} (goal < {GOAL_RATIO:g}: "
        f"{'met' if ratio < GOAL_RATIO else 'NOT met'}); import answers {dict(outcomes)}; "
        f"imports read at once: {os.environ.get('BOM_IMPORT_CONCURRENCY', 'the default')}"
    )
