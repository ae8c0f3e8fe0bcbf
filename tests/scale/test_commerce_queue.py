"""The Commerce queue at scale: the same queries at page sizes 10 and 100; counts only for the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.selectors_commerce import commerce_queue_for
from proposals.web import commerce
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _queued(consortium, n: int) -> None:
    for k in range(n):
        ProposalFactory(consortium=consortium, title=f"Queued {k}", revision_number=1, status="in_review")


@pytest.mark.parametrize("page_size", [10, 100])
def test_commerce_queue_queries_same_at_page_size_10_and_100(
    client, commerce_reviewer, consortium, monkeypatch, django_assert_num_queries, page_size
):
    _queued(consortium, page_size + 1)
    monkeypatch.setattr(commerce, "PAGE_SIZE", page_size)
    client.force_login(commerce_reviewer)
    # session, user, TOTP device (two-factor), destination choices, the page (its rows by sorted
    # keys, with the count), sites and items prefetches, roles (navigation)
    with django_assert_num_queries(8):
        response = client.get(reverse("commerce-queue"))
    assert len(response.context["rows"]) == page_size


def test_commerce_queue_count_reads_no_gates_hits_or_rfis(consortium, commerce_reviewer):
    _queued(consortium, 3)
    with CaptureQueriesContext(connection) as ctx:
        assert commerce_queue_for(commerce_reviewer).count() == 3
    sql = ctx.captured_queries[-1]["sql"].lower()
    assert ("licensegate" in sql, "screeninghit" in sql, "informationrequest" in sql) == (False, False, False)


def test_commerce_queue_page_keys_and_count_read_no_gates_hits_or_rfis(client, commerce_reviewer, consortium):
    _queued(consortium, 3)
    client.force_login(commerce_reviewer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("commerce-queue"))
    page_sql = next(q["sql"].lower() for q in ctx.captured_queries if '"_total"' in q["sql"])
    # The keys subquery and the count subquery; the per-row counts are the outer query's.
    keys_sql = page_sql[page_sql.index('as "pk"') :]
    keys_sql = keys_sql + page_sql[page_sql.index("(select count(*)") : page_sql.index('as "_total"')]
    assert ("licensegate" in keys_sql, "screeninghit" in keys_sql, "informationrequest" in keys_sql) == (
        False,
        False,
        False,
    )


def test_commerce_queue_rows_have_no_group_by(consortium, commerce_reviewer):
    _queued(consortium, 2)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(commerce_queue_for(commerce_reviewer).order_by("pk")[:1])
    page_sql = next(q["sql"] for q in ctx.captured_queries if "LIMIT 1" in q["sql"])
    assert 'GROUP BY "proposals_proposal"' not in page_sql
    assert (rows[0].open_gates, rows[0].unresolved_hits, rows[0].open_rfis) == (0, 0, 0)
