"""Findings, submit and withdraw through the API, and what they leave in revisions and the timeline."""

import pytest

from proposals.core.models.audit import AuditEvent
from proposals.intake.selectors import proposal_findings
from proposals.intake.services.transitions import proposal_transition
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


def url(proposal, action: str) -> str:
    return f"/api/proposals/{proposal.pk}/{action}/"


def test_findings_of_a_bare_draft_list_the_blocking_items(as_viewer, draft):
    response = as_viewer.get(url(draft, "findings"))
    assert response.status_code == 200
    body = response.json()
    expected = [f.as_dict() for f in proposal_findings(draft)]
    n_blocking = sum(1 for f in expected if f["severity"] == "blocking")
    assert body == {
        "ready_to_submit": False,
        "blocking_count": n_blocking,
        "warning_count": len(expected) - n_blocking,
        "findings": expected,
    }
    assert {"SUMMARY_MISSING", "LAYER_MISSING"} <= {f["code"] for f in body["findings"]}
    assert body["findings"][0] == {
        "code": "SUMMARY_MISSING",
        "severity": "blocking",
        "section": "overview",
        "field": "summary",
        "message": "Describe the package in the summary.",
    }


def test_findings_of_a_complete_proposal_allow_submission(as_lead, complete_proposal):
    body = as_lead.get(url(complete_proposal, "findings")).json()
    assert (body["ready_to_submit"], body["blocking_count"]) == (True, 0)


def test_submit_incomplete_is_409_listing_the_findings(as_lead, draft):
    response = as_lead.post(url(draft, "submit"))
    assert response.status_code == 409
    blocking = [f.as_dict() for f in proposal_findings(draft) if f.is_blocking]
    assert response.json() == {
        "message": f"The proposal cannot be submitted: {len(blocking)} item(s) on the checklist must be "
        "fixed first.",
        "code": "incomplete",
        "extra": {"findings": blocking},
    }
    draft.refresh_from_db()
    assert (draft.status, draft.revision_number) == ("draft", 0)
    assert not AuditEvent.objects.filter(proposal=draft).exists()


def test_submit_complete_freezes_revision_one(
    as_lead, lead, complete_proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_lead.post(url(complete_proposal, "submit"))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["revision_number"]) == ("submitted", 1)
    # one send for the follow-up tasks (intake and the dossier, one producer) and one for the email
    assert len(sends(callbacks)) == 2

    revisions = as_lead.get(url(complete_proposal, "revisions")).json()
    assert revisions["count"] == 1
    assert revisions["results"][0] == {
        "number": 1,
        "created_at": revisions["results"][0]["created_at"],
        "created_by": "lead",
    }
    frozen = as_lead.get(url(complete_proposal, "revisions") + "1/").json()
    assert (frozen["number"], frozen["snapshot"]["title"]) == (1, "UAE AI Cluster")
    assert as_lead.get(url(complete_proposal, "revisions") + "2/").status_code == 404

    timeline = as_lead.get(url(complete_proposal, "timeline")).json()["results"]
    assert [(e["action"], e["from_state"], e["to_state"], e["actor"], e["revision"]) for e in timeline] == [
        ("submit", "draft", "submitted", "lead", 1)
    ]


def test_submit_twice_is_409_transition_not_allowed(as_lead, lead, complete_proposal):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    response = as_lead.post(url(complete_proposal, "submit"))
    assert response.status_code == 409
    assert response.json() == {
        "message": '"Submit" is not possible: the proposal is already submitted (automated intake).',
        "code": "transition_not_allowed",
        "extra": {"status": "submitted", "action": "submit"},
    }


@pytest.mark.parametrize("who", ["as_editor", "as_viewer"])
def test_editor_and_viewer_cannot_submit(request, who, complete_proposal):
    response = request.getfixturevalue(who).post(url(complete_proposal, "submit"))
    assert response.status_code == 409
    assert response.json() == {
        "message": "Your role may not submit this proposal.",
        "code": "transition_not_allowed",
        "extra": {"status": "draft", "action": "submit"},
    }
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == "draft"


def test_submit_another_consortiums_proposal_is_not_found(as_outsider, complete_proposal):
    assert as_outsider.post(url(complete_proposal, "submit")).status_code == 404
    for action in ("findings", "revisions", "timeline"):
        assert as_outsider.get(url(complete_proposal, action)).status_code == 404
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == "draft"


def test_withdraw_with_reason(as_lead, lead, complete_proposal):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    response = as_lead.post(
        url(complete_proposal, "withdraw"), {"reason": " Financing fell through. "}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    event = AuditEvent.objects.get(proposal=complete_proposal, action="withdraw")
    assert (event.from_state, event.to_state, event.reason) == (
        "submitted",
        "withdrawn",
        "Financing fell through.",
    )


def test_withdraw_needs_a_reason(as_lead, draft):
    blank = as_lead.post(url(draft, "withdraw"), {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert blank.json() == {
        "message": "Give a reason.",
        "code": "invalid",
        "extra": {"fields": {"reason": ["A reason is required."]}},
    }
    missing = as_lead.post(url(draft, "withdraw"), {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["extra"] == {"fields": {"reason": ["This field is required."]}}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_editor_cannot_withdraw(as_editor, draft):
    response = as_editor.post(url(draft, "withdraw"), {"reason": "Changed our mind"}, format="json")
    assert response.status_code == 409
    assert response.json()["message"] == "Your role may not withdraw this proposal."


@pytest.mark.parametrize("n", [1, 3])
def test_timeline_query_count_does_not_grow(
    api_client, lead, complete_proposal, django_assert_num_queries, n
):
    from proposals.core.engine import audit_record

    for i in range(n):
        audit_record(proposal=complete_proposal, action="note", actor=lead, reason=f"note {i}")
    api_client.force_login(lead)
    # session, user, roles, the proposal, count, page (actors joined)
    with django_assert_num_queries(6):
        assert api_client.get(url(complete_proposal, "timeline")).json()["count"] == n
