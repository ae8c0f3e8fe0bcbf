"""The proposals CSV (web and API): every visible proposal, the list's filters, streamed."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import ConsortiumFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # never built in memory
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def mixed(consortium):
    ProposalFactory(consortium=consortium, title="Draft of ours", financing_amount="1234.5")
    ProposalFactory(consortium=consortium, title="Ours in review", status="in_review", revision_number=1)
    ProposalFactory(
        consortium=ConsortiumFactory(), title="Theirs in review", status="in_review", revision_number=1
    )


def test_csv_lists_what_a_lead_may_see_with_labels(client, lead, mixed):
    client.force_login(lead)
    rows = _rows(client.get(reverse("proposals-csv")))
    assert [(r["Title"], r["Status"]) for r in rows] == [
        ("Draft of ours", "Draft"),
        ("Ours in review", "In review"),
    ]
    assert rows[0]["Amount (USD)"] == "1234.50" and rows[1]["Amount (USD)"] == ""


def test_csv_for_agency_staff_is_every_submitted_proposal(client, commerce_reviewer, mixed):
    client.force_login(commerce_reviewer)
    rows = _rows(client.get(reverse("proposals-csv")))
    assert sorted(r["Title"] for r in rows) == ["Ours in review", "Theirs in review"]


def test_csv_api_takes_the_list_filters(lead, mixed):
    api = APIClient()
    api.force_authenticate(lead)
    rows = _rows(api.get(reverse("api-proposal-csv"), {"status": "draft"}))
    assert [r["Title"] for r in rows] == ["Draft of ours"]


def test_csv_refuses_an_unknown_status_and_anonymous(client, lead, mixed):
    api = APIClient()
    api.force_authenticate(lead)
    assert api.get(reverse("api-proposal-csv"), {"status": "nonsense"}).status_code == 400
    client.force_login(lead)
    refused = client.get(reverse("proposals-csv"), {"status": "nonsense"})
    assert refused.status_code == 400 and b"status" in refused.content
    assert APIClient().get(reverse("api-proposal-csv")).status_code == 401
    client.logout()
    assert client.get(reverse("proposals-csv")).status_code == 302


def test_csv_cells_that_would_run_as_formulas_are_kept_as_text(client, lead, consortium):
    ProposalFactory(consortium=consortium, title='=HYPERLINK("http://127.0.0.1/x","click")')
    client.force_login(lead)
    (row,) = _rows(client.get(reverse("proposals-csv")))
    assert row["Title"] == '\'=HYPERLINK("http://127.0.0.1/x","click")'
