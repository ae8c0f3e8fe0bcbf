"""The Commerce queue at scale: the same queries at page sizes 10 and 100; counts only for the page."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.commerce import web as commerce
from proposals.commerce.selectors import CommerceQueueFilter, commerce_queue_for
from proposals.core.pagination import bounds_of
from proposals.search.services import search_rebuild
from tests.factories import ProposalFactory, UserFactory, declared_conflict

pytestmark = pytest.mark.django_db


def _queued(consortium, n: int) -> None:
    for k in range(n):
        ProposalFactory(consortium=consortium, title=f"Queued {k}", revision_number=1, status="in_review")


@pytest.mark.parametrize("page_size", [10, 100])
def test_commerce_queue_queries_same_at_page_size_10_and_100(
    client, commerce_reviewer, consortium, monkeypatch, django_assert_num_queries, page_size
):
    _queued(consortium, page_size + 1)
    search_rebuild()  # the factory writes no search summaries; the services do
    monkeypatch.setattr(commerce, "PAGE_SIZE", page_size)
    client.force_login(commerce_reviewer)
    client.get(reverse("commerce-queue"))  # steady state: the filter form's fragment is cached
    # session, user, TOTP device (two-factor), the user's saved filters (search), the page's sorted
    # keys with the count, its rows by those keys (their distinct destinations, their ECCNs from the
    # search summaries; agency staff have no consortium roles to read), the reviewer's panel seats
    # (the proposals they are recused from)
    with django_assert_num_queries(7):
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
    # The keys and the count are one statement of their own; the per-row counts are the rows'.
    keys_sql = next(q["sql"].lower() for q in ctx.captured_queries if '"_total"' in q["sql"])
    assert ("licensegate" in keys_sql, "screeninghit" in keys_sql, "informationrequest" in keys_sql) == (
        False,
        False,
        False,
    )


def test_commerce_queue_rows_have_no_group_by(consortium, commerce_reviewer):
    from proposals.commerce.selectors import queue_rows_for

    _queued(consortium, 2)
    keys = list(commerce_queue_for(commerce_reviewer).order_by("pk").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        rows = queue_rows_for(keys[:1])
    rows_sql = next(q["sql"] for q in ctx.captured_queries if '"open_gates"' in q["sql"])
    assert 'GROUP BY "proposals_proposal"' not in rows_sql
    assert (rows[0].open_gates, rows[0].unresolved_hits, rows[0].open_rfis) == (0, 0, 0)


def test_every_submitted_proposal_has_its_commerce_review(complete_proposal, lead):
    """The queue reads its pages through an INNER join to the review: submission must open it."""
    from proposals.commerce.models import CommerceReview
    from proposals.intake.services.transitions import proposal_transition

    assert not CommerceReview.objects.filter(proposal=complete_proposal).exists()
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert CommerceReview.objects.filter(proposal=complete_proposal).count() == 1


def test_commerce_queue_page_keys_walk_the_clock_index(consortium, commerce_reviewer):
    """The page's keys are read in index order (clock days, then proposal), not by sorting all rows."""
    from proposals.commerce.models import CommerceReview
    from proposals.commerce.selectors import CommerceQueueFilter, CommerceQueuePaginator

    _queued(consortium, 3)
    CommerceReview.objects.filter(proposal__title="Queued 1").update(clock_days=40)
    queryset = CommerceQueueFilter({}, queryset=commerce_queue_for(commerce_reviewer)).qs
    paginator = CommerceQueuePaginator(queryset, 2)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.page(1)
    assert [p.title for p in page] == ["Queued 1", "Queued 0"]
    assert paginator.count == 3
    keys_sql = next(q["sql"] for q in ctx.captured_queries if "LIMIT 2" in q["sql"])
    assert 'INNER JOIN "proposals_commercereview"' in keys_sql
    assert (
        '"proposals_commercereview"."priority" DESC, "proposals_commercereview"."clock_days" DESC, '
        "1 ASC LIMIT 2"
    ) in keys_sql


def test_commerce_queue_is_a_queryset_of_its_own_for_each_call(
    consortium, commerce_reviewer, lead, exim_officer
):
    _queued(consortium, 2)
    first, second = commerce_queue_for(commerce_reviewer), commerce_queue_for(commerce_reviewer)
    assert list(first.filter(title="Queued 0").values_list("title", flat=True)) == ["Queued 0"]
    # Narrowing or reading one copy leaves the next caller's whole.
    assert sorted(second.values_list("title", flat=True)) == ["Queued 0", "Queued 1"]
    assert commerce_queue_for(commerce_reviewer).count() == 2
    # The role is checked on every call, before the shared queryset is copied.
    assert list(commerce_queue_for(lead)) == [] and list(commerce_queue_for(exim_officer)) == []


def test_commerce_queue_pages_of_a_distinct_queryset_are_its_rows(consortium, commerce_reviewer):
    """A DISTINCT queue (a filter through a join, as django-filter's MultipleChoiceFilter adds by
    default) is paged in two steps, the keys as a list of ids: the rows are still read by them."""
    from proposals.commerce.selectors import CommerceQueuePaginator

    _queued(consortium, 3)
    queue = commerce_queue_for(commerce_reviewer).distinct().order_by("title")
    paginator = CommerceQueuePaginator(queue, 2)
    assert [row.title for row in paginator.get_page(2)] == ["Queued 2"]
    assert [row.title for row in paginator.page(1)] == ["Queued 0", "Queued 1"]


def _queue_filterset(user, query: str) -> CommerceQueueFilter:
    request = RequestFactory().get("/commerce/", QueryDict(query))
    request.user = user
    return CommerceQueueFilter(request.GET, queryset=commerce_queue_for(user), request=request)


def test_queue_total_kept_is_the_queue_count(consortium, commerce_reviewer):
    """The queue's total read from the counts the database keeps is the count of the queue's own
    proposals, for each choice of states, with a recusal and with never-submitted drafts around."""
    states = ["submitted", "in_review", "in_review", "returned", "returned", "approved", "declined"]
    made = [ProposalFactory(consortium=consortium, status=s, revision_number=1) for s in states]
    ProposalFactory(consortium=consortium)  # a draft, never submitted
    declared_conflict(made[1], commerce_reviewer)
    for query in [
        "",
        "status=in_review",
        "status=returned&status=submitted",
        "sort=title",
        "status=in_review&page=2",
    ]:
        filterset = _queue_filterset(commerce_reviewer, query)
        assert filterset.total_kept is not None, query
        paginator = commerce.CommerceQueuePaginator.of_filterset(filterset, 2)
        assert "total_kept" in bounds_of(filterset)
        page = paginator.get_page(1)
        assert paginator.count == filterset.qs.count(), query
        assert len(page.object_list) == min(2, paginator.count)
    assert _queue_filterset(commerce_reviewer, "").qs.count() == 4  # the recused proposal is left out


@pytest.mark.parametrize(
    "query", ["assignee=none", "age=under_9", "flag=on_track", "q=cluster", "eccn=3A090"]
)
def test_queue_total_is_counted_when_another_filter_narrows_it(consortium, commerce_reviewer, query):
    ProposalFactory(consortium=consortium, status="in_review", revision_number=1)
    filterset = _queue_filterset(commerce_reviewer, query)
    assert filterset.is_valid(), filterset.errors
    assert filterset.total_kept is None


def test_queue_total_kept_past_the_last_page_and_for_no_one(consortium, commerce_reviewer):
    _queued(consortium, 3)
    paginator = commerce.CommerceQueuePaginator.of_filterset(_queue_filterset(commerce_reviewer, ""), 2)
    assert paginator.get_page(99).number == 2  # past the end (an empty page, so counted): the last page
    assert paginator.count == 3
    outsider = _queue_filterset(UserFactory(), "")
    assert outsider.total_kept is None  # not Commerce: an empty queue, nothing read from the tally


@pytest.mark.parametrize("url_name", ["commerce-queue", "api-commerce-queue"])
def test_queue_total_is_read_from_the_tally_not_counted(client, commerce_reviewer, consortium, url_name):
    """Web page and API: the total beside the page's keys is the tally's sum, and no statement counts
    the queued proposals (a COUNT over proposals_proposal would read every queued row)."""
    _queued(consortium, 3)
    client.force_login(commerce_reviewer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url_name))
    keys_sql = next(q["sql"] for q in ctx.captured_queries if '"_total"' in q["sql"])
    assert "proposals_proposaltally" in keys_sql
    counts_proposals = re.compile(r'SELECT COUNT\(\*\)[^()]* FROM "proposals_proposal"')
    assert not [q["sql"] for q in ctx.captured_queries if counts_proposals.search(q["sql"])]
    if url_name.startswith("api"):
        assert (response.json()["count"], response.json()["count_exact"]) == (3, True)
    else:
        assert response.context["page"].paginator.count == 3
