"""Fixtures that start real Celery worker processes against the test database and the real broker.

Tests that use `worker_factory` (marked `worker` automatically) run with `transaction=True`: the
worker is another process, so it sees only committed rows. The broker's queues are purged before
and after each such test, and every worker started is stopped by its pid at teardown.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.celery_worker import WorkerProcess, broker_is_redis, broker_purge


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "worker_factory" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


@pytest.fixture
def broker(transactional_db: None) -> Iterator[None]:
    """The real broker from CELERY_BROKER_URL, emptied before and after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("worker tests need PostgreSQL: a worker process cannot open SQLite's in-memory test db")
    if not broker_is_redis():
        pytest.skip("worker tests need a Redis broker (CELERY_BROKER_URL=redis://...) for acks and purges")
    broker_purge()
    yield
    broker_purge()


@pytest.fixture
def worker_factory(broker: None, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real workers: `worker_factory(beat=False, env={...}, queues=(...), concurrency=2)`."""
    started: list[WorkerProcess] = []

    def start(**kwargs: Any) -> WorkerProcess:
        worker = WorkerProcess(log_dir=tmp_path, **kwargs)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
