"""The dashboard at scale: paged, with the same queries at page sizes 10 and 100."""

import pytest

from proposals.web import dashboard
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page_size", [10, 100])
def test_dashboard_queries_same_at_page_size_10_and_100(
    client, lead, consortium, monkeypatch, django_assert_num_queries, page_size
):
    for n in range(page_size + 1):
        ProposalFactory(consortium=consortium, title=f"Listed {n}")
    monkeypatch.setattr(dashboard, "PAGE_SIZE", page_size)
    client.force_login(lead)
    # session, user, roles, count, the page's keys, its rows, their item counts, status counts, consortia
    with django_assert_num_queries(9):
        response = client.get("/")
    assert response.content.decode().count("Listed ") == page_size


@pytest.mark.parametrize("page_size", [10, 100])
def test_agency_list_queries_same_at_page_size_10_and_100(
    client, commerce_reviewer, consortium, monkeypatch, django_assert_num_queries, page_size
):
    for n in range(page_size + 1):
        ProposalFactory(
            consortium=consortium, title=f"Queued proposal {n}", revision_number=1, status="submitted"
        )
    monkeypatch.setattr(dashboard, "PAGE_SIZE", page_size)
    client.force_login(commerce_reviewer)
    # session, user, TOTP device (two-factor), count, the page's keys, its rows, their item counts,
    # roles (navigation)
    with django_assert_num_queries(8):
        response = client.get("/")
    assert response.content.decode().count("Queued proposal ") == page_size


def test_dashboard_second_page_holds_the_rest_oldest_last(client, lead, consortium, monkeypatch):
    made = [ProposalFactory(consortium=consortium, title=f"Listed {n}") for n in range(3)]
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    client.force_login(lead)
    first = client.get("/").content.decode()
    second = client.get("/", {"page": 2}).content.decode()
    assert ("Listed 2" in first, "Listed 1" in first, "Listed 0" in first) == (True, True, False)
    assert "Listed 0" in second and "Listed 1" not in second
    assert "Page 2 of 2 (3 proposals)" in second
    assert made[0].title == "Listed 0"
