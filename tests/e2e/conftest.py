"""Browser fixtures: Debian's Chromium under Playwright, pytest-django's live server, a real Celery worker.

Each test gets a fresh browser context against `live_server` (a transactional database: the worker is
another process and sees only committed rows) and a `journey` that screenshots every step into
test-artifacts/e2e/<test>/ and runs axe-core on it.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.celery_worker import WorkerProcess, broker_is_redis, broker_purge
from tests.e2e.support import ARTIFACTS, AXE_JS, CHROMIUM_ARGS, CHROMIUM_PATH, Journey, unavailable

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests that run the real worker carry the `worker` marker too (`-m "not worker"` skips them)."""
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module (module scope: Playwright's event loop lives no longer than needed)."""
    if not Path(CHROMIUM_PATH).is_file():
        unavailable(f"no Chromium at {CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)")
    if not AXE_JS.is_file():
        unavailable(f"no {AXE_JS.relative_to(BASE_DIR)}: run `make assets`")
    # Playwright's sync API keeps an asyncio event loop running in this thread while it is started.
    # Django sees that loop and refuses ORM calls from the test body and fixtures ("You cannot call
    # this from an async context"), although they are plain synchronous code that never runs inside
    # the loop. Allow them exactly while Playwright runs, so other tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser, live_server, settings, tmp_path) -> Iterator[BrowserContext]:
    # Uploads land in a per-test folder (the live server runs in this process, so the override holds).
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    # Anything but the live server (a font, an analytics beacon, a CDN) is refused, never fetched.
    context.route(
        lambda url: not url.startswith(live_server.url) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def journey(page: Page, request) -> Iterator[Journey]:
    """Screenshots and axe audits of every step; the axe verdict comes at the end, over all the pages."""
    recorder = Journey(page=page, name=request.node.name)
    yield recorder
    print(f"\n{request.node.name}: {recorder.steps} steps, axe ran on {len(recorder.audited)} page states")


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker) -> Iterator[WorkerProcess]:
    """A real `celery worker` on every queue (concurrency 1), against the test database, for one module.

    The pipeline's WorkerProcess (tests/celery_worker.py) starts and stops it by pid. Module scope: it
    must not outlive the browser tests, or it would take the messages of later tests that start
    workers of their own on the same broker.
    """
    if connection.vendor != "postgresql":
        unavailable("browser journeys need PostgreSQL: a worker process cannot open SQLite's in-memory db")
    if not broker_is_redis():
        unavailable("browser journeys need a Redis broker (CELERY_BROKER_URL=redis://...)")
    with django_db_blocker.unblock():
        broker_purge()  # messages other tests left behind are not this journey's work
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker = WorkerProcess(concurrency=1, log_dir=ARTIFACTS).start(ready_timeout=120)
    yield worker
    worker.stop()
