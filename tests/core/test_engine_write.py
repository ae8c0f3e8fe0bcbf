"""The engine's write: the state and its audit event in one statement, and asynchronous commit."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_save

from proposals.core.engine import commit_without_waiting_for_disk, save_with_audit
from proposals.core.enums import ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from tests.factories import ProposalFactory


@pytest.fixture
def submitted(complete_proposal, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_move_writes_state_and_audit_event_in_one_statement(
    submitted, django_assert_num_queries, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, instance, created, update_fields, **kwargs):
        received.append((sender, instance.pk, created, update_fields))

    post_save.connect(listener, sender=Proposal, dispatch_uid="test-engine-write")
    try:
        # lock, one write, plus the savepoint pair of the test's transaction
        with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(4):
            proposal_transition(proposal_id=submitted.pk, action="accept_for_review", actor=None)
    finally:
        post_save.disconnect(dispatch_uid="test-engine-write", sender=Proposal)
    proposal = Proposal.objects.get(pk=submitted.pk)
    event = AuditEvent.objects.get(proposal=proposal, action="accept_for_review")
    assert (proposal.status, event.from_state, event.to_state, event.actor_id, event.revision) == (
        ProposalStatus.IN_REVIEW,
        ProposalStatus.SUBMITTED,
        ProposalStatus.IN_REVIEW,
        None,
        proposal.revision_number,
    )
    # post_save as save(update_fields=...) sends it: the page cache and other listeners still hear it
    assert received == [
        (Proposal, proposal.pk, False, frozenset({"status", "status_changed_at", "updated_at"}))
    ]


def test_write_of_a_row_that_is_gone_fails_and_leaves_no_audit_event(db):
    proposal = ProposalFactory()
    Proposal.objects.filter(pk=proposal.pk).update(title="Renamed")
    ghost = Proposal(pk=proposal.pk + 1000, consortium=proposal.consortium, title="Gone", status="draft")
    event = AuditEvent(proposal=proposal, action="test", to_state="submitted")
    with pytest.raises(DatabaseError), transaction.atomic():
        save_with_audit(ghost, ["status"], event)
    assert AuditEvent.objects.filter(action="test").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="asynchronous commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_commit_without_waiting_for_disk_holds_for_its_own_transaction_only():
    with transaction.atomic():
        commit_without_waiting_for_disk()
        assert _synchronous_commit() == "off"
        with transaction.atomic():  # a nested block cannot relax the transaction around it
            commit_without_waiting_for_disk()
    assert _synchronous_commit() == "on"
    with transaction.atomic():
        with transaction.atomic():
            commit_without_waiting_for_disk()
        assert _synchronous_commit() == "on"
