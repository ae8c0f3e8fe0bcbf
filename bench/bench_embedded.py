"""The embedded broker (`make run`'s default, kombu's filesystem transport: exportai/broker.py) beside Redis.

1. No-op task throughput: two worker processes (-c 1 each, queue intake) on the Redis broker, then two
   on the embedded broker, then Redis and embedded again, in the same run; the figure is the ratio of the
   embedded rate to Redis's (goal 0.5 or better). Both are timed the same way: from the first publish
   until a last marker task, queued behind the batch, has run (the embedded broker keeps its
   unacknowledged messages in the worker's memory, so a publisher cannot count them).
2. Submission -> license gates under `make run`'s defaults with 100 proposals in review
   (bench/embedded_latency.py: SQLite, the embedded broker, one worker with beat, as scripts/run.sh).

Figures only: nothing here fails on time.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kombu import Connection

from bench.embedded_latency import measure
from bench.harness import RESULTS
from bench.noop import intake_noop, intake_noop_mark
from exportai.broker import broker_transport, broker_transport_options
from tests.celery_worker import WorkerProcess, broker_is_redis, broker_purge, wait_until

TASKS = 2000
WARMUP = 200
DEADLINE = 600
EMBEDDED_URL = "filesystem://"
# Workers as in production (.env.example), as bench_intake starts them.
PRODUCTION_ENV = {"DEBUG": "false", "CONN_MAX_AGE": "60"}


@contextmanager
def _workers(url: str, folder: Path, log_dir: Path) -> Iterator[Connection]:
    """Two no-op workers on `url`; yields a connection to publish to the same broker."""
    env = {**PRODUCTION_ENV, "CELERY_BROKER_URL": url, "EXPORTAI_BROKER_DIR": str(folder)}
    workers = [
        WorkerProcess(
            queues=("intake",), concurrency=1, extra_args=("-I", "bench.noop"), env=env, log_dir=log_dir
        )
        for _ in range(2)
    ]
    options = broker_transport_options(url, folder=folder)
    try:
        for worker in workers:
            worker.start()
        with Connection(url, transport=broker_transport(url), transport_options=options) as conn:
            yield conn
    finally:
        for worker in workers:
            worker.stop()


def _rate(conn: Connection, count: int, marks: Path) -> float:
    """Publish `count` no-op tasks and a marker; tasks per second until the marker has run."""
    mark = marks / f"mark-{time.monotonic_ns()}"
    started = time.perf_counter()
    with conn.Producer() as producer:
        for n in range(count):
            intake_noop.apply_async(kwargs={"proposal_id": n}, queue="intake", producer=producer)
        intake_noop_mark.apply_async(kwargs={"path": str(mark)}, queue="intake", producer=producer)
    wait_until(mark.exists, timeout=DEADLINE, message=f"{count} no-op tasks", interval=0.01)
    return count / (time.perf_counter() - started)


def _broker_rate(url: str, folder: Path, log_dir: Path) -> float:
    with _workers(url, folder, log_dir) as conn:
        _rate(conn, WARMUP, log_dir)
        return _rate(conn, TASKS, log_dir)


def bench_embedded_broker_throughput_against_redis(django_db_blocker: Any) -> None:
    """Needs PostgreSQL only for the workers' settings (the no-op task reads nothing)."""
    if not broker_is_redis():
        RESULTS.add("Workers", "Embedded broker no-op throughput", "skipped: needs a Redis broker to compare")
        return
    log_dir = Path(tempfile.mkdtemp(prefix="bench-embedded-"))
    redis_url = os.environ.get("CELERY_BROKER_URL", "")
    with django_db_blocker.unblock():
        broker_purge()
        redis, embedded = [], []
        for _ in range(2):  # interleaved, so load from others falls on both alike
            redis.append(_broker_rate(redis_url, log_dir / "unused", log_dir))
            embedded.append(_broker_rate(EMBEDDED_URL, log_dir / "broker", log_dir))
        broker_purge()
    redis_rate, embedded_rate = statistics.mean(redis), statistics.mean(embedded)
    ratio = embedded_rate / redis_rate
    RESULTS.add(
        "Workers",
        f"Embedded broker no-op throughput (2 workers -c 1, {TASKS} tasks, x2 interleaved)",
        f"{embedded_rate:.0f} tasks/s ({', '.join(f'{r:.0f}' for r in embedded)})",
        baseline=f"Redis {redis_rate:.0f} tasks/s ({', '.join(f'{r:.0f}' for r in redis)})",
        ratio=f"{ratio:.2f}",
        goal=">= 0.5",
        met="yes" if ratio >= 0.5 else "no",
    )


def bench_embedded_submission_to_license_gates() -> None:
    result = measure(in_review=100, samples=5)
    gates = [s["gates"] for s in result["samples"]]
    review = [s["review"] for s in result["samples"]]
    RESULTS.add(
        "Workers",
        f"make run defaults: submission -> license gates, {result['in_review']} proposals in review "
        "(SQLite, embedded broker, 1 worker -c 2 + beat)",
        f"median {statistics.median(gates):.2f} s, max {max(gates):.2f} s "
        f"(in review: median {statistics.median(review):.2f} s)",
        goal="<= 3 s",
        met="yes" if max(gates) <= 3 else "no",
    )
