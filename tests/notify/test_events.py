"""Which events email whom: proposal transitions through the one write path, and the track hooks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from proposals.core.enums import NotificationEvent, OutboxStatus
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import OutboxMessage
from proposals.notify.services import notify_deadline, notify_deal_stage_changed, notify_gate_decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(complete_proposal, lead):
    from proposals.intake.services.intake import intake_check

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    intake_check(proposal_id=complete_proposal.pk)
    complete_proposal.refresh_from_db()
    return complete_proposal


def test_submit_emails_every_consortium_user(complete_proposal, lead, editor, viewer, outsider):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    messages = OutboxMessage.objects.filter(event=NotificationEvent.SUBMITTED).order_by("recipient")
    assert [(m.recipient, m.status, m.proposal_id) for m in messages] == [
        ("editor@example.test", OutboxStatus.PENDING, complete_proposal.pk),
        ("lead@example.test", OutboxStatus.PENDING, complete_proposal.pk),
        ("viewer@example.test", OutboxStatus.PENDING, complete_proposal.pk),
    ]
    assert messages[0].subject == "Submitted: UAE AI Cluster (revision 1)"


def test_refused_transition_emails_nobody(complete_proposal, editor):
    from proposals.core.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=editor)
    assert OutboxMessage.objects.count() == 0


def test_accept_for_review_sends_no_email(in_review):
    assert list(OutboxMessage.objects.values_list("event", flat=True)) == [NotificationEvent.SUBMITTED]


def test_request_for_information_emails_the_question(in_review, commerce_reviewer):
    proposal_transition(
        proposal_id=in_review.pk,
        action="request_information",
        actor=commerce_reviewer,
        reason="Please confirm the ultimate consignee's ownership.",
    )
    message = OutboxMessage.objects.get(event=NotificationEvent.INFORMATION_REQUESTED)
    assert message.recipient == "lead@example.test"
    assert message.subject == "Request for information: UAE AI Cluster"
    assert "Please confirm the ultimate consignee's ownership." in message.body
    assert "(revision 1)" in message.body


def test_return_with_findings_emails_the_findings(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    proposal_transition(
        proposal_id=complete_proposal.pk,
        action="return_incomplete",
        actor=None,
        reason="Automated intake found items to fix:\n- [LAYER_MISSING] Add a chips line item.",
    )
    message = OutboxMessage.objects.get(event=NotificationEvent.RETURNED)
    assert message.subject == "Returned with findings: UAE AI Cluster"
    assert "- [LAYER_MISSING] Add a chips line item." in message.body


def test_gate_decided_emails_consortium_and_exim(in_review, exim_officer):
    notify_gate_decided(
        proposal=in_review,
        gate_label="3A090.a to United Arab Emirates",
        decision="Approved with conditions",
        reason="End user verified; no diversion risk found.",
        conditions="No re-export without prior authorization.",
        policy_version="2026-05",
    )
    messages = OutboxMessage.objects.filter(event=NotificationEvent.GATE_DECIDED).order_by("recipient")
    assert [m.recipient for m in messages] == ["exim@example.test", "lead@example.test"]
    body = messages[0].body
    assert messages[0].subject == "License gate decided (Approved with conditions): UAE AI Cluster"
    assert "Conditions: No re-export without prior authorization." in body
    assert "Reason: End user verified; no diversion risk found." in body
    assert "Rule version: 2026-05" in body


def test_deal_stage_changed_emails_consortium(in_review):
    notify_deal_stage_changed(
        proposal=in_review,
        deal_label="AP0912345",
        from_stage="Credit committee",
        to_stage="Board",
        reason="Amount above the board threshold.",
    )
    message = OutboxMessage.objects.get(event=NotificationEvent.DEAL_STAGE_CHANGED)
    assert message.subject == "EXIM deal now at Board: UAE AI Cluster"
    assert "moved from Credit committee to Board" in message.body


def test_deadline_reminder_is_stored_once_per_recipient_and_due_date(in_review, commerce_reviewer):
    due = datetime(2026, 12, 4, 17, 0, tzinfo=ZoneInfo("America/New_York"))
    for _ in range(3):  # beat may tick several times before the deadline passes
        notify_deadline(
            proposal=in_review,
            what="Commerce license decision",
            due_at=due,
            overdue=False,
            recipients=[commerce_reviewer],
            key="gate:12",
        )
    notify_deadline(
        proposal=in_review,
        what="Commerce license decision",
        due_at=due,
        overdue=True,
        recipients=[commerce_reviewer],
        key="gate:12",
    )
    messages = OutboxMessage.objects.filter(recipient="commerce@example.test").order_by("pk")
    assert [(m.event, m.subject) for m in messages] == [
        (NotificationEvent.DEADLINE_NEAR, "Deadline approaching: Commerce license decision (UAE AI Cluster)"),
        (NotificationEvent.DEADLINE_OVERDUE, "Overdue: Commerce license decision (UAE AI Cluster)"),
    ]
    assert "due on 4 December 2026, 17:00 EST" in messages[0].body


def test_users_without_email_are_skipped(complete_proposal, lead, editor):
    editor.email = ""
    editor.save(update_fields=["email"])
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["lead@example.test"]


@pytest.mark.parametrize("users", [1, 3])
def test_queue_query_count_does_not_grow_with_recipients(
    complete_proposal, lead, users, django_assert_num_queries
):
    from proposals.core.enums import ConsortiumUserRole
    from tests.factories import ConsortiumUserFactory

    for _ in range(users - 1):
        ConsortiumUserFactory(consortium=complete_proposal.consortium, role=ConsortiumUserRole.VIEWER)
    from proposals.notify.services import notify_proposal_event

    proposal = type(complete_proposal).objects.get(pk=complete_proposal.pk)
    # consortium name, recipients, preferences, outbox insert, inbox insert (no savepoint of its own)
    with django_assert_num_queries(5):
        stored = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=proposal)
    assert len(stored) == users
