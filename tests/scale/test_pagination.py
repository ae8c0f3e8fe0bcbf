"""DeferredJoinPaginator: the same pages as plain slicing, built from the page's keys."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.core.pagination import DeferredJoinPaginator
from proposals.intake.models.proposal import Proposal
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
    (sql,) = (q["sql"] for q in ctx.captured_queries)
    # One statement: the rows (consortium joined) of the keys sorted and sliced in a subquery that
    # reads nothing else, and the total (no COUNT round trip of its own).
    keys_sql = sql[sql.index('"id" IN (SELECT') : sql.rindex(") ORDER BY")]
    assert keys_sql.startswith('"id" IN (SELECT U0."id" AS "pk" FROM "proposals_proposal" U0 ORDER BY')
    assert keys_sql.endswith("LIMIT 3 OFFSET 3")
    assert sql.count("OFFSET") == 1 and "(SELECT COUNT(*)" in sql and "consortium" in sql
    assert titles == ["Test Consortium"] * 3
    assert page.paginator.count == 7


@pytest.mark.parametrize(("number", "expected"), [("9", 3), ("x", 1), ("0", 3), (None, 1)])
def test_deferred_join_get_page_out_of_range_or_invalid_is_like_plain(seven, number, expected):
    queryset = Proposal.objects.order_by("-updated_at", "-pk")
    plain = Paginator(queryset, 3).get_page(number)
    deferred = DeferredJoinPaginator(queryset, 3).get_page(number)
    assert (deferred.number, deferred.paginator.count) == (plain.number, 7) == (expected, 7)
    assert [p.pk for p in deferred] == [p.pk for p in plain]


def test_deferred_join_empty_list_has_one_empty_page(db):
    page = DeferredJoinPaginator(Proposal.objects.order_by("-pk"), 3).get_page(1)
    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])


def test_deferred_join_distinct_queryset_is_counted_by_count(seven, consortium):
    # A join that repeats rows, made unique by DISTINCT: the keys query cannot carry that count.
    for proposal in Proposal.objects.all():
        proposal.target_countries.set(["AE", "SA"])
    queryset = Proposal.objects.filter(target_countries__in=["AE", "SA"]).distinct().order_by("-pk")
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(queryset, 3).page(1)
    assert page.paginator.count == 7
    assert len(page) == 3
    assert ctx.captured_queries[0]["sql"].startswith("SELECT COUNT(*)")


def test_deferred_join_known_count_is_not_queried(seven):
    queryset = Proposal.objects.order_by("-updated_at", "-pk")
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(queryset, 3, count=7).page(3)
    assert (len(ctx.captured_queries), [p.title for p in page]) == (1, ["P0"])
    assert "COUNT" not in ctx.captured_queries[0]["sql"]


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


def test_deferred_join_page_number_past_any_offset_is_not_found(seven):
    """A page number PostgreSQL cannot take as an OFFSET is past the end, not a server error."""
    from django.core.paginator import EmptyPage

    paginator = DeferredJoinPaginator(Proposal.objects.order_by("-pk"), 3)
    with pytest.raises(EmptyPage):
        paginator.page(10**20)


# A bounded total (count_exact_up_to, the rule of searched lists: proposals.search.policy): counted
# only up to the bound or one row past the requested page, whichever is further.


def test_search_total_bound_is_counted_in_the_page_statement_and_stops_at_its_limit(seven):
    queryset = Proposal.objects.order_by("-updated_at", "-pk")
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(queryset, 3, count_exact_up_to=4).page(1)
        assert page.has_next() and page.next_page_number() == 2
    (sql,) = (q["sql"] for q in ctx.captured_queries)
    assert "LIMIT 5) AS matches" in sql
    paginator = page.paginator
    assert (paginator.count, paginator.count_is_exact, paginator.count_exceeds) == (5, False, 4)
    assert (paginator.num_pages, paginator.num_pages_exceeds, len(page)) == (2, 1, 3)


def test_search_total_bound_exact_below_it(seven):
    paginator = DeferredJoinPaginator(Proposal.objects.order_by("-pk"), 3, count_exact_up_to=7)
    page = paginator.page(1)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages, len(page)) == (7, True, 3, 3)


@pytest.mark.parametrize("rows", [None, lambda qs: qs.values_list("pk", "title", named=True)])
def test_search_total_bound_pages_past_it_to_the_end(seven, rows):
    queryset = Proposal.objects.order_by("-updated_at", "-pk")
    plain = Paginator(queryset, 2)
    for number in plain.page_range:
        page = DeferredJoinPaginator(queryset, 2, count_exact_up_to=2, rows=rows).get_page(number)
        assert [p.pk for p in page] == [p.pk for p in plain.page(number)]
        # Each page knows whether another follows; only the last knows the whole count.
        assert (page.number, page.has_next(), page.paginator.count_is_exact) == (
            number,
            number < 4,
            number == 4,
        )
    assert page.paginator.count == 7


def test_search_total_bound_counts_distinct_keys(seven):
    for proposal in Proposal.objects.all():
        proposal.target_countries.set(["AE", "SA"])
    queryset = Proposal.objects.filter(target_countries__in=["AE", "SA"]).distinct().order_by("-pk")
    paginator = DeferredJoinPaginator(queryset, 3, count_exact_up_to=10)
    assert (len(paginator.page(3)), paginator.count, paginator.count_is_exact) == (1, 7, True)


@pytest.mark.parametrize("number", ["x", "-1", "0", str(10**30), "99"])
def test_search_total_bound_get_page_answers_any_number(seven, number):
    page = DeferredJoinPaginator(Proposal.objects.order_by("-pk"), 2, count_exact_up_to=2).get_page(number)
    assert len(page) >= 1 and page.number >= 1


def test_search_total_bound_page_past_any_offset_is_not_found(seven):
    from django.core.paginator import EmptyPage

    with pytest.raises(EmptyPage):
        DeferredJoinPaginator(Proposal.objects.order_by("-pk"), 3, count_exact_up_to=2).page(10**20)
