"""Window enforcement where proposals start and are submitted: the web page, the API and submission."""

import datetime

import pytest
from django.urls import reverse

from proposals.core.errors import InvalidInput
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

MESSAGE = "This call accepts proposals from 1 April 2026 to 30 June 2026."


@pytest.fixture
def closed_call():
    """A call that is not rolling and whose window has passed (today is after 30 June 2026)."""
    return CallFactory(
        opens_on=datetime.date(2026, 4, 1), closes_on=datetime.date(2026, 6, 30), rolling=False
    )


@pytest.fixture
def future_call():
    return CallFactory(
        opens_on=datetime.date(2099, 1, 1), closes_on=datetime.date(2099, 3, 31), rolling=False
    )


def test_call_window_start_by_api_after_close_is_a_field_error_naming_the_dates(
    as_lead, consortium, closed_call
):
    response = as_lead.post(
        "/api/proposals/",
        {"consortium": consortium.pk, "call": closed_call.pk, "title": "Late"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"call": [MESSAGE]}
    assert not Proposal.objects.filter(title="Late").exists()


def test_call_window_start_by_api_before_opening_is_refused(as_lead, consortium, future_call):
    response = as_lead.post(
        "/api/proposals/",
        {"consortium": consortium.pk, "call": future_call.pk, "title": "Early"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["call"] == [
        "This call accepts proposals from 1 January 2099 to 31 March 2099."
    ]
    assert not Proposal.objects.filter(title="Early").exists()


def test_call_window_start_by_api_requires_a_call(as_lead, consortium):
    response = as_lead.post(
        "/api/proposals/", {"consortium": consortium.pk, "title": "No call"}, format="json"
    )
    assert response.status_code == 400
    assert "call" in response.json()["extra"]["fields"]


def test_call_window_rolling_call_accepts_a_new_proposal_after_its_close_date(as_lead, consortium):
    rolling = CallFactory(
        opens_on=datetime.date(2026, 4, 1), closes_on=datetime.date(2026, 6, 30), rolling=True
    )
    response = as_lead.post(
        "/api/proposals/",
        {"consortium": consortium.pk, "call": rolling.pk, "title": "Rolling"},
        format="json",
    )
    assert response.status_code == 201
    assert Proposal.objects.get(title="Rolling").call == rolling


def test_call_window_new_proposal_page_lists_only_open_calls(lead_client, consortium, call, closed_call):
    html = lead_client.get(reverse("proposal-create")).content.decode()
    assert f'value="{call.pk}"' in html
    assert f'value="{closed_call.pk}"' not in html


def test_call_window_new_proposal_page_refuses_a_closed_call(lead_client, consortium, call, closed_call):
    response = lead_client.post(
        reverse("proposal-create"), {"consortium": consortium.pk, "call": closed_call.pk, "title": "Late"}
    )
    assert response.status_code == 200
    assert 'id="f-call-error"' in response.content.decode()
    assert not Proposal.objects.filter(title="Late").exists()


def test_call_window_submission_after_close_is_refused_naming_the_dates(complete_proposal, lead, closed_call):
    Proposal.objects.filter(pk=complete_proposal.pk).update(call=closed_call)
    with pytest.raises(InvalidInput) as exc:
        proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert exc.value.extra["fields"] == {"call": [MESSAGE]}
    complete_proposal.refresh_from_db()
    assert (complete_proposal.status, complete_proposal.revision_number) == ("draft", 0)


def test_call_window_submission_inside_window_freezes_the_calls_requirements(complete_proposal, lead):
    proposal = proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    snapshot = proposal.revisions.get(number=1).snapshot
    assert snapshot["call"]["id"] == complete_proposal.call_id
    assert snapshot["call"]["required_layers"] == complete_proposal.call.required_layers


def test_call_window_submission_by_api_after_close_is_a_400_with_the_dates(
    as_lead, complete_proposal, closed_call
):
    Proposal.objects.filter(pk=complete_proposal.pk).update(call=closed_call)
    response = as_lead.post(f"/api/proposals/{complete_proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == MESSAGE
