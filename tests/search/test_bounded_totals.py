"""A searched list's total is exact up to SEARCH_TOTAL_EXACT_UP_TO, then "more than" (decision 0010):
the Commerce queue (page and API), the home lists (consortium and agency) and the proposals API.

The bound is set small here (2, with one row a page), so that four matching proposals are past it."""

import re

import pytest
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination

from proposals.commerce import web as commerce_web
from proposals.intake.web import dashboard
from proposals.search import policy
from proposals.search.policy import SEARCH_TOTAL_EXACT_UP_TO, search_total_bound
from proposals.search.services import search_rebuild
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("commerce-queue")
QUEUE_API = reverse("api-commerce-queue")
HOME = reverse("home")
PROPOSALS_API = reverse("api-proposal-list")


@pytest.fixture
def bound_of_two(monkeypatch, settings) -> None:
    monkeypatch.setattr(policy, "SEARCH_TOTAL_EXACT_UP_TO", 2)
    monkeypatch.setattr(commerce_web, "PAGE_SIZE", 1)
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 1)
    # The API's paginator copied PAGE_SIZE at import; set the class attribute it copied it to.
    monkeypatch.setattr(PageNumberPagination, "page_size", 1)
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 0  # each request reads the list


@pytest.fixture
def four_queued(consortium) -> list:
    made = [
        ProposalFactory(consortium=consortium, title=f"Queued {k}", revision_number=1, status="in_review")
        for k in range(4)
    ]
    search_rebuild()  # the factory writes no search summaries; the services do
    return made


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_search_total_bound_only_where_the_search_summary_narrows_the_list():
    assert SEARCH_TOTAL_EXACT_UP_TO == 1000
    assert search_total_bound(text="nairobi") == SEARCH_TOTAL_EXACT_UP_TO
    assert search_total_bound(eccn="3A090") == search_total_bound(country="KE") == SEARCH_TOTAL_EXACT_UP_TO
    # No words in the search box (punctuation only), nothing given: an exact count.
    assert search_total_bound(text=" -- ") is None
    assert search_total_bound() is None


def test_search_total_exact_below_the_bound_on_the_queue(client, commerce_reviewer, four_queued, monkeypatch):
    monkeypatch.setattr(policy, "SEARCH_TOTAL_EXACT_UP_TO", 10)
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued"})
    assert response.context["page"].paginator.count_is_exact
    assert "<caption>4 proposals</caption>" in response.content.decode()


def test_search_total_capped_at_the_bound_on_the_queue(client, commerce_reviewer, four_queued, bound_of_two):
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued"})
    paginator = response.context["page"].paginator
    assert (paginator.count_is_exact, paginator.count_exceeds) == (False, 2)
    text = _text(response)
    assert "More than 2 proposals match" in text and "Page 1 of more than 2" in text
    assert 'href="?q=queued&page=2"' in response.content.decode()


def test_search_total_deep_page_past_the_bound_lists_its_rows_and_leads_on(
    client, commerce_reviewer, four_queued, bound_of_two
):
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued", "page": 3})
    assert (response.status_code, response.context["page"].number) == (200, 3)
    assert len(response.context["rows"]) == 1
    text = _text(response)
    assert "More than 3 proposals match" in text and "Page 3 of more than 3" in text
    assert 'href="?q=queued&page=4"' in response.content.decode()


def test_search_total_last_page_of_a_capped_list_is_exact(
    client, commerce_reviewer, four_queued, bound_of_two
):
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued", "page": 4})
    page = response.context["page"]
    assert (page.number, page.paginator.count, page.paginator.count_is_exact, page.has_next()) == (
        4,
        4,
        True,
        False,
    )
    text = _text(response)
    assert "4 proposals" in text and "Page 4 of 4" in text and "more than" not in text.lower()


@pytest.mark.parametrize("number", ["abc", "-1", "0", str(10**30), "9"])
def test_search_total_bad_page_numbers_still_answer_a_page(
    client, commerce_reviewer, four_queued, bound_of_two, number
):
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued", "page": number})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def test_search_total_state_filters_keep_an_exact_count(client, commerce_reviewer, four_queued, bound_of_two):
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"status": "in_review"})
    assert response.context["page"].paginator.count_is_exact
    assert "<caption>4 proposals</caption>" in response.content.decode()


def test_search_total_capped_queue_runs_the_same_queries(
    client, commerce_reviewer, four_queued, bound_of_two, django_assert_num_queries
):
    client.force_login(commerce_reviewer)
    client.get(QUEUE, {"q": "queued"})  # steady state: the filter form's fragment is cached
    # As the queue's guard (tests/scale/test_commerce_queue.py): the bounded count is still inside the
    # statement of the page's keys.
    with django_assert_num_queries(7):
        response = client.get(QUEUE, {"q": "queued"})
    assert not response.context["page"].paginator.count_is_exact


def test_search_total_capped_deep_page_runs_the_same_queries_as_an_exact_one(
    client, commerce_reviewer, four_queued, bound_of_two, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(commerce_reviewer)
    client.get(QUEUE, {"q": "queued"})

    def queries(bound: int) -> int:
        monkeypatch.setattr(policy, "SEARCH_TOTAL_EXACT_UP_TO", bound)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(QUEUE, {"q": "queued", "page": 3})
        assert response.context["page"].paginator.count_is_exact == (bound > 4)
        return len(ctx.captured_queries)

    # The Next link does not count again (the count for page 3 reached one row into page 4).
    assert queries(2) == queries(1000)


def test_search_total_queue_api_says_whether_count_is_exact(
    api_client, commerce_reviewer, four_queued, bound_of_two
):
    api_client.force_authenticate(commerce_reviewer)
    first = api_client.get(QUEUE_API, {"q": "queued"}).json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (3, False, 1)
    assert "page=2" in first["next"]
    deep = api_client.get(QUEUE_API, {"q": "queued", "page": 3}).json()
    assert (deep["count"], deep["count_exact"], len(deep["results"])) == (4, False, 1)
    assert "page=4" in deep["next"]
    last = api_client.get(QUEUE_API, {"q": "queued", "page": 4}).json()
    assert (last["count"], last["count_exact"], last["next"]) == (4, True, None)
    # Past the end: not found, as before.
    assert api_client.get(QUEUE_API, {"q": "queued", "page": 9}).status_code == 404
    plain = api_client.get(QUEUE_API, {"status": "in_review"}).json()
    assert (plain["count"], plain["count_exact"]) == (4, True)


def test_search_total_proposals_api_and_home_lists(client, api_client, consortium, lead, bound_of_two):
    for k in range(4):
        ProposalFactory(consortium=consortium, title=f"Harbor {k}")
    search_rebuild()
    api_client.force_authenticate(lead)
    body = api_client.get(PROPOSALS_API, {"q": "harbor"}).json()
    assert (body["count"], body["count_exact"]) == (3, False)
    body = api_client.get(PROPOSALS_API).json()
    assert (body["count"], body["count_exact"]) == (4, True)
    client.force_login(lead)
    text = _text(client.get(HOME, {"q": "harbor"}))
    assert "Page 1 of more than 2 (more than 2 proposals match)" in text
    assert "Page 1 of 4 (4 proposals)" in _text(client.get(HOME))


def test_search_total_agency_list(client, commerce_reviewer, four_queued, bound_of_two):
    client.force_login(commerce_reviewer)
    text = _text(client.get(HOME, {"q": "queued", "page": 2}))
    assert "Page 2 of more than 2 (more than 2 proposals match)" in text
    assert "Page 4 of 4 (4 proposals)" in _text(client.get(HOME, {"q": "queued", "page": 4}))


def test_search_total_counts_the_lists_other_filters_too(client, commerce_reviewer, consortium, bound_of_two):
    """The bounded count reads the summaries, each checked against the list with its other filters
    (state here): it counts exactly the rows the list shows."""
    for k, status in enumerate(["in_review", "submitted", "submitted", "in_review", "in_review"]):
        ProposalFactory(consortium=consortium, title=f"Queued {k}", revision_number=1, status=status)
    ProposalFactory(consortium=consortium, title="Queued draft")  # not in the queue at all
    search_rebuild()
    client.force_login(commerce_reviewer)
    response = client.get(QUEUE, {"q": "queued", "status": "submitted"})
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.count_is_exact) == (2, True)
    response = client.get(QUEUE, {"q": "queued", "page": 5})
    assert (response.context["page"].paginator.count, response.context["page"].paginator.count_is_exact) == (
        5,
        True,
    )


def test_search_total_filed_away_proposals_are_not_counted_on_the_dashboard(
    client, consortium, lead, bound_of_two
):
    ProposalFactory(consortium=consortium, title="Harbor kept")
    ProposalFactory(consortium=consortium, title="Harbor gone", status="withdrawn")
    search_rebuild()
    client.force_login(lead)
    page = client.get(HOME, {"q": "harbor"}).context["page"]
    assert (page.paginator.count, page.paginator.count_is_exact, [p.title for p in page]) == (
        1,
        True,
        ["Harbor kept"],
    )


def test_search_total_is_read_from_the_summaries_side(client, commerce_reviewer, four_queued, bound_of_two):
    """The bounded count starts from the summaries' index and checks each against the list by its key
    (a scalar subquery per summary): counted over the list itself, PostgreSQL hashed every queued
    proposal before its LIMIT could stop it (50,000 rows at the bench's scale)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(commerce_reviewer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(QUEUE, {"q": "queued"})
    sql = next(q["sql"] for q in ctx.captured_queries if "AS matches" in q["sql"])
    counted = sql[sql.index("(SELECT COUNT(*) FROM (") : sql.index("AS matches")]
    assert re.search(r'FROM "proposals_proposalsearch"( \w+)? WHERE', counted)
    assert "LIMIT 1) IS NOT NULL" in counted and "LIMIT 3)" in counted


@pytest.mark.parametrize("params", [{"q": "nairobi"}, {"eccn": "3A090"}, {"destination": "KE"}])
def test_search_total_of_a_list_that_can_match_nothing_is_zero(
    client, api_client, stranger, reference_data, params
):
    """A signed-in user of no consortium sees no proposals: their list is `consortium_id__in=[]`, which
    compiles to no SQL at all. Searching it must say 0, not fail (it was a 500: EmptyResultSet)."""
    client.force_login(stranger)
    home = client.get(HOME, params)
    assert home.status_code == 200
    api_client.force_authenticate(stranger)
    body = api_client.get(PROPOSALS_API, params).json()
    assert (body["count"], body["count_exact"], body["results"]) == (0, True, [])


def test_a_searched_filterset_bounds_its_paginator_with_what_the_bound_counts():
    """bounds_of hands a paginator the bound and what it counts together (the bound alone would
    count the list the slow way); a list that is not searched gets neither, and counts exactly."""
    from proposals.core.pagination import DeferredJoinPaginator, bounds_of
    from proposals.intake.models.proposal import Proposal
    from proposals.intake.selectors import ProposalFilter

    searched = ProposalFilter({"q": "nairobi"}, queryset=Proposal.objects.all())
    assert searched.is_valid()
    bounds = bounds_of(searched)
    assert bounds["count_exact_up_to"] == SEARCH_TOTAL_EXACT_UP_TO
    assert bounds["count_matches"] is not None
    paginator = DeferredJoinPaginator.of_filterset(searched, 10)
    assert paginator.count_exact_up_to == SEARCH_TOTAL_EXACT_UP_TO
    assert str(paginator.count_matches.query) == str(bounds["count_matches"].query)
    plain = ProposalFilter({}, queryset=Proposal.objects.all())
    assert plain.is_valid()
    assert bounds_of(plain) == {} and bounds_of(None) == {}
    assert DeferredJoinPaginator.of_filterset(plain, 10).count_exact_up_to is None
