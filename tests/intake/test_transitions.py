"""The one write path: allowed transitions write state, audit and a revision; others are refused."""

import pytest

from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput, SubmissionIncomplete, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Revision
from proposals.intake.services.transitions import proposal_transition
from tests.factories import ProposalFactory
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


def test_submit_freezes_revision_one_and_audits(complete_proposal, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        proposal = proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.revision_number == 1
    assert Revision.objects.get(proposal=proposal, number=1).snapshot["title"] == "UAE AI Cluster"
    event = AuditEvent.objects.get(proposal=proposal, action="submit")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted", lead)
    # enqueued only once the transaction commits: the follow-up tasks (intake and the dossier render,
    # sent through one producer) and the lead's email
    assert len(sends(callbacks)) == 2


def test_editor_may_not_submit(complete_proposal, editor):
    with pytest.raises(TransitionNotAllowed):
        proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=editor)
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.DRAFT


def test_incomplete_proposal_cannot_be_submitted_and_nothing_changes(consortium, lead):
    proposal = ProposalFactory(consortium=consortium)
    with pytest.raises(SubmissionIncomplete) as exc:
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    assert {f["code"] for f in exc.value.extra["findings"]} >= {"SUMMARY_MISSING", "LAYER_MISSING"}
    proposal.refresh_from_db()
    assert (proposal.status, proposal.revision_number) == (ProposalStatus.DRAFT, 0)
    assert not AuditEvent.objects.filter(proposal=proposal).exists()


def test_withdraw_requires_a_reason(complete_proposal, lead):
    with pytest.raises(InvalidInput) as exc:
        proposal_transition(proposal_id=complete_proposal.pk, action="withdraw", actor=lead, reason="  ")
    assert exc.value.extra == {"fields": {"reason": ["A reason is required."]}}


def test_consortium_user_may_not_take_system_transition(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    with pytest.raises(TransitionNotAllowed):
        proposal_transition(proposal_id=complete_proposal.pk, action="accept_for_review", actor=lead)


def test_intake_accepts_complete_submission(complete_proposal, lead, django_capture_on_commit_callbacks):
    from proposals.intake.services.intake import intake_check

    with django_capture_on_commit_callbacks(execute=False):
        proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
        assert intake_check(proposal_id=complete_proposal.pk) == "accept_for_review"
        assert intake_check(proposal_id=complete_proposal.pk) is None  # idempotent
    complete_proposal.refresh_from_db()
    assert complete_proposal.status == ProposalStatus.IN_REVIEW
