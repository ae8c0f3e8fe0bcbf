"""Each role's list pages against their one-query baselines: latency, and queries at page sizes 10 and 100."""

from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.harness import REPEAT, RESULTS, count_queries, ms, time_pair
from bench.targets import TARGETS, ListTarget

RATIO_GOAL = 2.0
QUERY_GOAL = 10


def _urls(target: ListTarget) -> tuple[str, str] | None:
    try:
        portal = reverse(target.url_name, kwargs=target.url_kwargs or None)
    except NoReverseMatch:
        return None
    return portal, reverse("bench-baseline-list", kwargs={"key": target.key})


def _ids(client: Client, url: str, params: dict[str, Any]) -> list[int]:
    data = client.get(url, params).json()
    return [row["id"] for row in data.get("results", data if isinstance(data, list) else [])]


@pytest.fixture(autouse=True)
def no_page_cache(settings: Any) -> None:
    """Latency and queries are measured cold: every request renders (the load bench shows the cache)."""
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize("target", TARGETS, ids=[t.key for t in TARGETS])
def bench_list_latency(target: ListTarget, clients: dict[str, Client], users: dict[str, Any]) -> None:
    urls = _urls(target)
    if urls is None:
        RESULTS.add("Latency", target.label, "skipped", met=f"no URL {target.url_name!r} on this branch yet")
        return
    portal, baseline = urls
    client = clients[target.role]
    total = target.baseline_page(user=users[target.role], filters={}, page=1).total
    deep = max(1, int(0.9 * -(-total // target.page_size)))
    variants = {"first page": {}, "filtered": dict(target.filtered), f"deep (page {deep})": {"page": deep}}
    if not target.filtered:
        del variants["filtered"]
    for name, params in variants.items():
        ours, base = time_pair(client, (portal, params), (baseline, params))
        if ours.status != 200:
            RESULTS.add(
                "Latency", f"{target.label}: {name}", f"HTTP {ours.status}", goal=f"ratio <= {RATIO_GOAL:g}"
            )
            continue
        ratio = ours.median / base.median
        RESULTS.add(
            "Latency",
            f"{target.label}: {name}",
            f"{ms(ours.median)} (p95 {ms(ours.p95)})"
            + (f" n={ours.samples}" if ours.samples < REPEAT else ""),
            baseline=f"{ms(base.median)} (p95 {ms(base.p95)})",
            ratio=f"{ratio:.2f}",
            goal=f"<= {RATIO_GOAL:g}",
            met="yes" if ratio <= RATIO_GOAL else "no",
        )
        if target.kind == "api" and _ids(client, portal, params) != _ids(client, baseline, params):
            RESULTS.note(f"{target.label} {name}: the portal and the baseline list different rows")


@pytest.mark.parametrize("target", TARGETS, ids=[t.key for t in TARGETS])
def bench_list_queries(target: ListTarget, clients: dict[str, Client]) -> None:
    urls = _urls(target)
    if urls is None:
        return
    counts = {}
    for size in (10, 100):
        try:
            with target.set_page_size(size) as extra:
                counts[size], status = count_queries(clients[target.role], urls[0], dict(extra or {}))
        except AttributeError as exc:  # the page has no page size to set (not paginated)
            RESULTS.add("Queries", target.label, "not measured", met=f"no page size: {exc}"[:80])
            return
        if status != 200:
            counts[size] = f"HTTP {status}"
    same = counts[10] == counts[100] and isinstance(counts[10], int) and counts[10] <= QUERY_GOAL
    RESULTS.add(
        "Queries",
        target.label,
        f"{counts[10]} at 10 rows, {counts[100]} at 100",
        goal=f"equal, <= {QUERY_GOAL}",
        met="yes" if same else "no",
    )


def bench_dashboard_counts_plan(users: dict[str, Any]) -> None:
    """The dashboard's counts by state read the index (consortium, status) alone, on the seeded and
    vacuumed data (a test's transaction cannot vacuum, so only here is an index-only scan the
    planner's choice to check; tests/scale/test_web_lists.py checks the statement's shape)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.intake.selectors import status_counts_for

    with CaptureQueriesContext(connection) as captured:
        status_counts_for(users["lead"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    wanted = "Index Only Scan using proposal_consortium_status"
    RESULTS.add(
        "Plans",
        "Dashboard counts by state, consortium lead",
        "index-only (consortium, status)" if wanted in plan else plan.splitlines()[0][:60],
        goal="Index Only Scan using proposal_consortium_status",
        met="yes" if wanted in plan else "no",
    )
