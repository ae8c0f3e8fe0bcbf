"""`make bench` fixtures: the seeded bench database, logged-in clients per role, and the final table."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from bench.auth import signed_in_client
from bench.harness import RESULTS
from bench.scale_seed import bench_lock, seed
from bench.targets import USERS


@pytest.fixture(scope="session")
def django_db_setup() -> None:
    """No test database: the bench reads its own seeded database (bench/settings.py)."""


@pytest.fixture(scope="session")
def bench_db(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Seed (or reuse) the bench database; keep database access open for the whole session."""
    with bench_lock(), django_db_blocker.unblock():
        report = seed()
        from proposals.intake.models.proposal import LineItem, Proposal

        parts = ", ".join(
            f"{part} {state} ({seconds:.0f} s)" for part, (state, seconds) in report["parts"].items()
        )
        RESULTS.add(
            "Data",
            "Seed (COPY; reused when the marker matches)",
            f"{Proposal.objects.count():,} proposals, {LineItem.objects.count():,} line items",
            goal="100,000 / ~2,000,000",
        )
        RESULTS.note(f"Seed: {parts}.")
        RESULTS.note(
            f"Load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores shared)."
        )
        yield report


@pytest.fixture(scope="session", autouse=True)
def production_template_rendering(django_test_environment: None) -> Iterator[None]:
    """Render templates as production does: pytest-django instruments every template render to
    record its context for tests (a copy of the context per template, include and widget), which
    the baselines, having no templates, never pay. Restored after the session."""
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    yield
    Template._render = instrumented


@pytest.fixture(scope="session")
def users(bench_db: dict[str, Any]) -> dict[str, Any]:
    from accounts.models import User

    return {role: User.objects.get(username=name) for role, name in USERS.items()}


@pytest.fixture(scope="session")
def clients(users: dict[str, Any]) -> dict[str, Client]:
    return {role: signed_in_client(user) for role, user in users.items()}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if RESULTS.rows:
        RESULTS.note(f"Load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}.")
        terminalreporter.write_sep("=", "ExportAI Portal at scale (make bench)")
        terminalreporter.write_line(RESULTS.table())
