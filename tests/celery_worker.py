"""A real Celery worker process for tests and benchmarks, and bounded waits on the broker and database.

The worker runs `.venv/bin/celery -A exportai worker` in its own process group against the pytest test
database and the broker in CELERY_BROKER_URL; it is stopped by its pid (SIGTERM, then SIGKILL of its
own group after a deadline). Nothing here sleeps to assert: every wait polls with a deadline.
"""

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
CELERY = BASE_DIR / ".venv" / "bin" / "celery"
ALL_QUEUES = ("intake", "commerce", "exim", "documents", "notify")
_names = itertools.count(1)


def wait_until(predicate: Callable[[], Any], *, timeout: float, message: str, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


def worker_database_url() -> str:
    """DATABASE_URL for the database this test process uses (pytest's test database)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a worker process needs PostgreSQL: SQLite test databases live in memory")
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


def broker_is_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


@contextmanager
def _redis_channel() -> Iterator[Any]:
    from exportai.celery import app

    with app.connection_for_write() as conn:
        yield conn.default_channel


def broker_purge() -> None:
    """Empty every queue, and forget messages that dead workers held unacknowledged."""
    with _redis_channel() as channel:
        for queue in ALL_QUEUES:
            channel.client.delete(queue)
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def broker_backlog() -> dict[str, int]:
    """Messages waiting in each queue, plus those delivered but not yet acknowledged ("unacked")."""
    with _redis_channel() as channel:
        counts = {queue: channel.client.llen(queue) for queue in ALL_QUEUES}
        counts["unacked"] = channel.client.hlen(channel.unacked_key)
    return counts


def broker_idle() -> bool:
    """True once every message has been run and acknowledged (acks are late: after the task)."""
    return not any(broker_backlog().values())


def lock_waiters() -> int:
    """Sessions of the test database now waiting for a lock (here: workers waiting for a row we hold).

    Counted by wait state, not by who blocks them: a second waiter for a row waits behind the first.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class WorkerProcess:
    """One `celery worker` process (with its pool children) in its own process group."""

    def __init__(
        self,
        *,
        queues: tuple[str, ...] = ALL_QUEUES,
        concurrency: int = 2,
        beat: bool = False,
        env: dict[str, str] | None = None,
        log_dir: Path,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.name = f"test{next(_names)}-{os.getpid()}"
        self.log_path = log_dir / f"worker-{self.name}.log"
        self.args = [
            str(CELERY),
            "-A",
            "exportai",
            "worker",
            "-Q",
            ",".join(queues),
            "-c",
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-n",
            f"{self.name}@%h",
            *extra_args,
        ]
        if beat:
            self.args += ["--beat", "--schedule", str(log_dir / f"beat-{self.name}")]
        self.env = {
            **os.environ,
            # The project's settings, whatever the calling process uses (the bench has its own).
            "DJANGO_SETTINGS_MODULE": "exportai.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, ready_timeout: float = 60) -> "WorkerProcess":
        with self.log_path.open("ab") as log:
            # A session of its own: SIGKILL to the group reaches the pool children too, and a signal
            # to pytest's group does not reach the worker.
            self.proc = subprocess.Popen(
                self.args,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: self._exited_early() or " ready." in self.log(),
            timeout=ready_timeout,
            message=f"worker {self.name} to be ready\n{self.log()[-3000:]}",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"worker {self.name} exited with {self.proc.returncode}\n{self.log()}")
        return self

    def _exited_early(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pool_pids(self) -> list[int]:
        """The prefork pool's child processes (Linux /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no warm shutdown, no acknowledgement."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, *, timeout: float = 30) -> None:
        """Warm shutdown by the worker's pid; SIGKILL its group if it does not exit within `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"worker {self.name} ignored SIGTERM; killing its group", file=sys.stderr)
            self.kill()
        # Pool children that outlived their parent would still hold database connections.
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


@contextmanager
def row_locked(table: str, pk: int) -> Iterator[None]:
    """Hold `SELECT ... FOR UPDATE` on one row from a separate connection until the block ends.

    A worker that reaches the same row lock then waits, so a test knows the task is held in flight.
    """
    import psycopg

    with psycopg.connect(worker_database_url()) as conn:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])
            yield
        conn.rollback()
