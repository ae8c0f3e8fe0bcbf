"""Twenty concurrent attempts at one transition, each on its own database connection: one wins."""

import pytest
from django.db import connection

from proposals.commerce.tasks import commerce_start_review
from proposals.core.enums import ProposalStatus
from proposals.core.errors import TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.exim.tasks import exim_start_review
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.tasks import intake_check_proposal
from tests.race import race

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 20


def _race(action: str, proposal_id: int, actor, reason: str = "") -> list[object]:
    """Run the same transition from ATTEMPTS threads released together; return each outcome."""
    return race(
        lambda n: proposal_transition(proposal_id=proposal_id, action=action, actor=actor, reason=reason),
        ATTEMPTS,
    )


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) across connections need PostgreSQL, not SQLite")


def test_twenty_concurrent_submissions_freeze_one_revision_and_enqueue_intake_once(
    complete_proposal, lead, monkeypatch
):
    sent: list[dict] = []
    monkeypatch.setattr(intake_check_proposal, "apply_async", lambda kwargs, **_: sent.append(kwargs))

    outcomes = _race("submit", complete_proposal.pk, lead)

    assert outcomes.count("ok") == 1
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == ATTEMPTS - 1
    assert all(isinstance(o, TransitionNotAllowed) for o in refused)
    assert refused[0].extra == {"status": ProposalStatus.SUBMITTED, "action": "submit"}
    proposal = Proposal.objects.get(pk=complete_proposal.pk)
    assert (proposal.status, proposal.revision_number) == (ProposalStatus.SUBMITTED, 1)
    assert list(Revision.objects.filter(proposal=proposal).values_list("number", flat=True)) == [1]
    assert AuditEvent.objects.filter(proposal=proposal, action="submit").count() == 1
    assert sent == [{"proposal_id": proposal.pk}]


def test_twenty_concurrent_withdrawals_record_one_withdrawal(complete_proposal, lead):
    outcomes = _race("withdraw", complete_proposal.pk, lead, reason="Consortium dissolved.")

    assert outcomes.count("ok") == 1
    assert [type(o) for o in outcomes if o != "ok"] == [TransitionNotAllowed] * (ATTEMPTS - 1)
    assert Proposal.objects.get(pk=complete_proposal.pk).status == ProposalStatus.WITHDRAWN
    assert AuditEvent.objects.filter(proposal=complete_proposal, action="withdraw").count() == 1


def test_twenty_concurrent_intakes_of_one_submission_move_it_once(complete_proposal, lead, monkeypatch):
    """Intake locks the proposal before reading its state: the deliveries that waited for the lock
    find it in review and do nothing (no second audit event, no second fan-out)."""
    monkeypatch.setattr(intake_check_proposal, "apply_async", lambda kwargs, **_: None)
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    fan_out: list[str] = []
    for task in (commerce_start_review, exim_start_review):
        monkeypatch.setattr(task, "apply_async", lambda kwargs, _n=task.name, **_: fan_out.append(_n))
    actions: list[object] = []

    outcomes = race(lambda n: actions.append(intake_check(proposal_id=complete_proposal.pk)), ATTEMPTS)

    assert outcomes == ["ok"] * ATTEMPTS
    assert (actions.count("accept_for_review"), actions.count(None)) == (1, ATTEMPTS - 1)
    assert Proposal.objects.get(pk=complete_proposal.pk).status == ProposalStatus.IN_REVIEW
    assert AuditEvent.objects.filter(proposal=complete_proposal, action="accept_for_review").count() == 1
    assert sorted(fan_out) == [commerce_start_review.name, exim_start_review.name]
