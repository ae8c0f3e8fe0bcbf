"""DeferredJoinPaginator: the same pages as plain slicing, built from the page's keys."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import Proposal
from proposals.pagination import DeferredJoinPaginator
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(consortium) -> None:
    for n in range(7):
        ProposalFactory(consortium=consortium, title=f"P{n}")


@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (3, 1), (2, 0), (10, 0)])
def test_deferred_join_pages_equal_plain_pages(seven, per_page, orphans):
    queryset = Proposal.objects.select_related("consortium").order_by("-updated_at", "-pk")
    plain = Paginator(queryset, per_page, orphans=orphans)
    deferred = DeferredJoinPaginator(queryset, per_page, orphans=orphans)
    assert deferred.num_pages == plain.num_pages
    for number in plain.page_range:
        assert [p.pk for p in deferred.page(number)] == [p.pk for p in plain.page(number)]


def test_deferred_join_page_sorts_keys_only(seven):
    queryset = Proposal.objects.select_related("consortium").order_by("-updated_at", "-pk")
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(queryset, 3).page(2)
        titles = [p.consortium.name for p in page]
    count_sql, keys_sql, rows_sql = (q["sql"] for q in ctx.captured_queries)
    assert keys_sql.startswith('SELECT "proposals_proposal"."id" AS "pk" FROM "proposals_proposal" ORDER BY')
    assert "OFFSET 3" in keys_sql
    assert "OFFSET" not in rows_sql and "consortium" in rows_sql
    assert titles == ["Test Consortium"] * 3
    assert "COUNT(*)" in count_sql


def test_deferred_join_rows_shape_the_page_but_not_the_count_or_keys(seven):
    queryset = Proposal.objects.order_by("-updated_at", "-pk")
    plain = Paginator(queryset, 3).page(2)
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(
            queryset, 3, rows=lambda qs: qs.values_list("pk", "consortium__name", named=True)
        ).page(2)
    count_sql, keys_sql, rows_sql = (q["sql"] for q in ctx.captured_queries)
    assert [(row.pk, row.consortium__name) for row in page] == [(p.pk, "Test Consortium") for p in plain]
    assert "JOIN" not in count_sql and "JOIN" not in keys_sql
    assert "JOIN" in rows_sql
