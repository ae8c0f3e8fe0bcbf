"""The search box and filters on every list: matches, errors for bad values, sort headers, queries, plans."""

import pytest
from django.db import connection
from django.urls import reverse

from proposals.demo import build_complete_proposal
from proposals.intake.services.drafting import child_save
from proposals.intake.services.transitions import proposal_transition
from proposals.search.selectors import matching_summaries
from proposals.search.services import search_rebuild
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("commerce-queue")
HOME = reverse("home")


@pytest.fixture
def two_in_queue(consortium, lead):
    """Two submitted proposals: the UAE one (chips 3A090.a) and a Kenyan one with another end user."""
    uae = build_complete_proposal(consortium=consortium, lead=lead, title="UAE AI Cluster")
    kenya = build_complete_proposal(
        consortium=consortium, lead=lead, title="Nairobi Health Cloud", country="KE", city="Nairobi"
    )
    child_save(
        proposal_id=kenya.pk,
        actor=lead,
        kind="party",
        data={
            "role": "intermediate_consignee",
            "name": "Savanna Freight",
            "address": "a",
            "country_id": "KE",
        },
    )
    for proposal in (uae, kenya):
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    return uae, kenya


def titles(response) -> list[str]:
    return sorted(p.title for p in response.context["rows"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=savanna", ["Nairobi Health Cloud"]),  # a party's name
        ("q=nair heal", ["Nairobi Health Cloud"]),  # word prefixes, all required
        ("q=kenya", ["Nairobi Health Cloud"]),  # a destination's name
        ("q=3a090", ["Nairobi Health Cloud", "UAE AI Cluster"]),  # an ECCN
        ("q=no-such-thing", []),
        ("eccn=3A090&destination=AE", ["UAE AI Cluster"]),
        ("eccn=3a090.A&q=cluster", ["UAE AI Cluster"]),
        ("destination=KE&q=uae", []),
    ],
)
def test_queue_search_box_and_filters(client, commerce_reviewer, two_in_queue, query, expected):
    client.force_login(commerce_reviewer)
    response = client.get(f"{QUEUE}?{query}")
    assert (response.status_code, titles(response)) == (200, expected)


def test_queue_search_finds_member_names(client, commerce_reviewer, two_in_queue, consortium):
    member = consortium.members.select_related("company").first()
    client.force_login(commerce_reviewer)
    word = member.company.legal_name.split()[0]
    response = client.get(QUEUE, {"q": word})
    assert titles(response) == ["Nairobi Health Cloud", "UAE AI Cluster"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("eccn=chips", "ECCN", "Enter an ECCN such as 3A090, 3A090.a or EAR99."),
        ("destination=XX", "Destination country", "Select a valid choice."),
        ("assignee=bob", "Reviewer", "Select a valid choice."),
        ("flag=late", "Clock state", "Select a valid choice."),
    ],
)
def test_queue_bad_filter_value_is_an_error_not_an_empty_list(
    client, commerce_reviewer, two_in_queue, query, field, message
):
    client.force_login(commerce_reviewer)
    response = client.get(f"{QUEUE}?{query}")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Check the filters" in body
    assert f"{field}: {message}" in body
    assert "Correct the filters above to see the queue." in body
    assert "rows" not in response.context


def test_queue_api_bad_filter_value_is_a_400_with_field_errors(api_client, commerce_reviewer, two_in_queue):
    api_client.force_authenticate(commerce_reviewer)
    response = api_client.get(reverse("api-commerce-queue"), {"eccn": "chips", "destination": "XX"})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"eccn", "destination"}


def test_queue_api_search(api_client, commerce_reviewer, two_in_queue):
    api_client.force_authenticate(commerce_reviewer)
    response = api_client.get(reverse("api-commerce-queue"), {"q": "savanna"})
    assert [row["title"] for row in response.json()["results"]] == ["Nairobi Health Cloud"]


def test_proposals_api_search_and_destination(api_client, lead, two_in_queue):
    uae, kenya = two_in_queue
    api_client.force_authenticate(lead)

    def ids(**params) -> list[int]:
        response = api_client.get(reverse("api-proposal-list"), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(q="savanna") == [kenya.pk]
    assert ids(country="KE") == [kenya.pk]
    assert ids(eccn="3A090", country="AE") == [uae.pk]
    assert ids(sort="title") == [kenya.pk, uae.pk]
    assert ids(sort="-title") == [uae.pk, kenya.pk]
    response = api_client.get(reverse("api-proposal-list"), {"country": "ZZ", "sort": "size"})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"country", "sort"}


def test_dashboard_search_sort_headers_and_errors(client, lead, two_in_queue):
    client.force_login(lead)
    response = client.get(HOME, {"q": "nairobi", "sort": "title"})
    body = response.content.decode()
    assert [p.title for p in response.context["proposals"]] == ["Nairobi Health Cloud"]
    # The sorted column says so, and its link reverses the order keeping the search.
    assert (
        '<th scope="col" aria-sort="ascending"><a class="usa-link sort-link" '
        'href="?q=nairobi&amp;sort=-title">' in body
    )
    assert (
        '<th scope="col" aria-sort="none"><a class="usa-link sort-link" href="?q=nairobi&amp;sort=-updated">'
        in body
    )
    response = client.get(HOME, {"eccn": "3A09"})
    assert response.status_code == 400
    assert "ECCN: Enter an ECCN such as 3A090, 3A090.a or EAR99." in response.content.decode()


def test_agency_list_search(client, exim_officer, two_in_queue):
    client.force_login(exim_officer)
    response = client.get(HOME, {"q": "savanna freight"})
    assert [p.title for p in response.context["proposals"]] == ["Nairobi Health Cloud"]


@pytest.mark.parametrize("count", [1, 3])
def test_filtered_dashboard_queries_do_not_grow_with_rows(
    client, consortium, lead, count, django_assert_num_queries
):
    for i in range(count):
        ProposalFactory(consortium=consortium, title=f"Harbor {i}")
    search_rebuild()
    client.force_login(lead)
    client.get(HOME)
    # session, user, consortium roles, the status counts, the saved filters, the destination select's
    # countries, the page's keys with the count of matches (the filter a subquery on the summaries),
    # their rows by those keys with item counts
    with django_assert_num_queries(8):
        response = client.get(HOME, {"q": "harbor", "sort": "title"})
    assert len(response.context["proposals"]) == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("criteria", "index"),
    [
        ({"eccn": "3A090"}, "proposalsearch_eccns_gin"),
        ({"country": "KE"}, "proposalsearch_countries_gin"),
        ({"text": "savanna"}, "proposalsearch_document_gin"),
    ],
)
def test_filters_read_the_gin_indexes(two_in_queue, criteria, index):
    """With sequential scans priced out (a test database is too small for the planner to prefer an
    index on its own), each filter is answered from its GIN index: @> on the arrays, @@ on the text."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = matching_summaries(**criteria).explain()
    assert index in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the covering index is PostgreSQL's")
@pytest.mark.parametrize(
    "criteria", [{"eccn": "3A090"}, {"country": "KE"}, {"eccn": "3A090", "country": "AE"}]
)
def test_codes_filters_can_be_answered_from_the_covering_index(two_in_queue, criteria):
    """A filter that matches most proposals (3A090 is on nearly all) is not narrowed by its GIN index:
    its ids and codes are then read from proposalsearch_codes alone (an index-only scan of a narrow
    index), never from the wide summary rows with their text. Other scans priced out, as above."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = matching_summaries(**criteria).values("proposal_id").explain()
    assert "Index Only Scan using proposalsearch_codes" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_gin_indexes_have_no_pending_list():
    """Every filter would read a GIN pending list through in full: the summary's indexes take their
    entries straight in (migration 0031)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'proposalsearch_%_gin' ORDER BY 1"
        )
        rows = cursor.fetchall()
    assert rows == [
        (name, ["fastupdate=off"])
        for name in (
            "proposalsearch_countries_gin",
            "proposalsearch_document_gin",
            "proposalsearch_eccns_gin",
        )
    ]
