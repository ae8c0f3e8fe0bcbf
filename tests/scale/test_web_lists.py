"""The dashboard at scale: paged, with the same queries at page sizes 10 and 100."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.commerce.selectors import information_requests_due_first, information_requests_open_for
from proposals.core.selectors import country_choices, country_choices_forget
from proposals.intake.selectors import status_counts_for
from proposals.intake.web import dashboard
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
    # session, user, roles, status counts (their sum is the pager's count), the page's sorted keys,
    # then their rows by those keys with their item counts
    # ... and the search form: saved filters, the destination select's countries
    with django_assert_num_queries(8):
        response = client.get("/")
    assert response.content.decode().count("Listed ") == page_size


@pytest.mark.parametrize("page_size", [10, 100])
def test_agency_list_queries_same_at_page_size_10_and_100(
    client, commerce_reviewer, consortium, monkeypatch, django_assert_num_queries, page_size, settings
):
    for n in range(page_size + 1):
        ProposalFactory(
            consortium=consortium, title=f"Queued proposal {n}", revision_number=1, status="submitted"
        )
    monkeypatch.setattr(dashboard, "PAGE_SIZE", page_size)
    client.force_login(commerce_reviewer)
    settings.EXPORTAI_REFERENCE_CACHE_SECONDS = 300  # as deployed: the country list kept per process
    country_choices_forget()
    country_choices()
    # session, user, TOTP device (two-factor), the reviewer's panel seats (what they are recused
    # from), the page's sorted keys with the count, then their rows, no consortium roles (agency staff act
    # for none), no item counts (not shown); the "Action required" panel: the reviewer's own work, the
    # unassigned (no panel seat: no evaluation panels to ask for); the search form: saved filters (the
    # countries are kept)
    with django_assert_num_queries(9):
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


def test_dashboard_pager_counts_from_status_counts(client, lead, consortium, monkeypatch):
    for n in range(3):
        ProposalFactory(consortium=consortium, title=f"Listed {n}")
    ProposalFactory(title="Another consortium's")
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    client.force_login(lead)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/").content.decode()
    assert "Page 1 of 2 (3 proposals)" in body
    assert "<strong>3</strong> draft" in body
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in ctx.captured_queries)


def test_dashboard_start_button_only_for_lead_and_editors(client, lead, editor, viewer):
    client.force_login(lead)
    assert "Start a proposal</a>" in client.get("/").content.decode()
    client.force_login(editor)
    assert "Start a proposal</a>" in client.get("/").content.decode()
    client.force_login(viewer)
    assert "Start a proposal</a>" not in client.get("/").content.decode()


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_dashboard_counts_by_state_can_be_read_from_the_consortium_status_index(lead, consortium):
    """The dashboard's counts by state are answered from the index (consortium, status) alone on the
    bench database (`make bench` checks the plan there: "Plans"): COUNT(*) grouped by status for the
    user's consortia, not COUNT(id), which read every row of a 5,000-proposal consortium (18 ms
    instead of 1), over an index that holds exactly those two columns.

    The plan itself is not checked here: an index-only scan is the planner's choice only on a vacuumed
    table, which a test's transaction cannot have, and on the few rows other tests leave its choice
    between this index and the consortium's foreign-key index flipped with their statistics."""
    ProposalFactory(consortium=consortium, title="Counted")
    with CaptureQueriesContext(connection) as counted:
        assert status_counts_for(lead)["draft"] == 1
    sql = counted.captured_queries[-1]["sql"]
    assert "COUNT(*)" in sql and "COUNT(" not in sql.replace("COUNT(*)", "")
    assert re.search(r'WHERE "proposals_proposal"\."consortium_id" IN \([^)]*\) GROUP BY 1$', sql)
    indexes = connection.introspection.get_constraints(connection.cursor(), "proposals_proposal")
    assert indexes["proposal_consortium_status"]["columns"] == ["consortium_id", "status"]


def test_dashboard_open_requests_ask_for_the_returned_proposals_of_the_consortia_in_one_subquery(lead):
    """The open requests' proposals are narrowed to the user's consortia and to "returned" in the same
    subquery, so that with real statistics PostgreSQL reads the index (consortium, status) for them
    (2 ms instead of 23 on the bench database). The plan itself is not checked here: on a test
    database's few rows, which table the planner starts from depends on statistics that the suite's
    other tests leave in any state (it flipped after tests/commerce), so the statement's shape is."""
    for selected in (information_requests_open_for(lead), information_requests_due_first(lead, limit=10)):
        assert re.search(
            r'\w+\."consortium_id" IN \([^)]*\) AND \w+\."status" = returned\)', str(selected.query)
        )
