"""Automated intake on real worker processes: killed workers, lost messages and duplicate deliveries
lose nothing and do nothing twice."""

import os
import signal

import pytest

from proposals.core.enums import ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import Country
from proposals.demo import build_complete_proposal
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.tasks import intake_check_proposal
from tests.celery_worker import (
    broker_backlog,
    broker_idle,
    broker_purge,
    lock_waiters,
    row_locked,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = Proposal._meta.db_table
# Generous: the machine is shared; a deadline only bounds a failure, it is never a timing assertion.
DEADLINE = 90


def _status(proposal_id: int) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal_id)


def _intake_events(proposal_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            proposal_id=proposal_id, action__in=("accept_for_review", "return_incomplete")
        ).values_list("action", flat=True)
    )


def _submitted(consortium, lead, **kwargs) -> Proposal:
    proposal = build_complete_proposal(consortium=consortium, lead=lead, **kwargs)
    return proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)


def test_worker_takes_submission_through_intake_into_review(worker_factory, consortium, lead):
    proposal = _submitted(consortium, lead, title="UAE cluster")
    worker_factory()

    wait_until(lambda: _status(proposal.pk) == ProposalStatus.IN_REVIEW, timeout=DEADLINE, message="review")
    wait_until(broker_idle, timeout=DEADLINE, message="the Commerce and EXIM follow-ups to run")
    assert _intake_events(proposal.pk) == ["accept_for_review"]


def test_intake_reaches_next_state_after_its_worker_is_killed_holding_the_task(
    worker_factory, consortium, lead
):
    proposal = _submitted(consortium, lead, title="UAE cluster")
    with row_locked(TABLE, proposal.pk):
        doomed = worker_factory()
        # The worker has taken the message and waits for the row: the task is in flight, unacknowledged.
        wait_until(lambda: lock_waiters() >= 1, timeout=DEADLINE, message="task in flight")
        doomed.kill()
        # The intake message is held unacknowledged (the dossier render sent with it may be too).
        assert broker_backlog()["unacked"] >= 1
    assert _status(proposal.pk) == ProposalStatus.SUBMITTED

    # A new worker gives back what the dead one held once it has been unacknowledged for 2 s.
    worker_factory(env={"CELERY_BROKER_VISIBILITY_TIMEOUT": "2", "CELERY_BROKER_RESTORE_INTERVAL": "1"})

    wait_until(lambda: _status(proposal.pk) == ProposalStatus.IN_REVIEW, timeout=DEADLINE, message="review")
    wait_until(broker_idle, timeout=DEADLINE, message="all messages acknowledged")
    assert _intake_events(proposal.pk) == ["accept_for_review"]


def test_intake_is_requeued_when_the_pool_process_running_it_dies(worker_factory, consortium, lead):
    proposal = _submitted(consortium, lead, title="UAE cluster")
    with row_locked(TABLE, proposal.pk):
        worker = worker_factory()
        wait_until(lambda: lock_waiters() >= 1, timeout=DEADLINE, message="task in flight")
        # Kill the pool processes only: the worker itself sees WorkerLostError and, with
        # reject_on_worker_lost, hands the message back instead of acknowledging it.
        for pid in worker.pool_pids():
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: "WorkerLostError" in worker.log(), timeout=DEADLINE, message="worker lost")

    wait_until(lambda: _status(proposal.pk) == ProposalStatus.IN_REVIEW, timeout=DEADLINE, message="review")
    wait_until(broker_idle, timeout=DEADLINE, message="all messages acknowledged")
    assert _intake_events(proposal.pk) == ["accept_for_review"]


def test_intake_delivered_twice_makes_one_transition_and_one_audit_event(worker_factory, consortium, lead):
    proposal = _submitted(consortium, lead, title="UAE cluster")
    intake_check_proposal.apply_async(kwargs={"proposal_id": proposal.pk})  # the duplicate
    assert broker_backlog()["intake"] == 2
    with row_locked(TABLE, proposal.pk):
        worker_factory(concurrency=2)
        # Both deliveries run at once and both wait for the row: released together, they race.
        wait_until(lambda: lock_waiters() == 2, timeout=DEADLINE, message="both in flight")

    wait_until(lambda: _status(proposal.pk) == ProposalStatus.IN_REVIEW, timeout=DEADLINE, message="review")
    wait_until(broker_idle, timeout=DEADLINE, message="both deliveries acknowledged")
    assert _intake_events(proposal.pk) == ["accept_for_review"]

    intake_check_proposal.apply_async(kwargs={"proposal_id": proposal.pk})  # a late third delivery
    wait_until(broker_idle, timeout=DEADLINE, message="late delivery acknowledged")
    assert _intake_events(proposal.pk) == ["accept_for_review"]
    # The proposal's own lifecycle: submit, accept_for_review (the Commerce track audits its own steps).
    assert list(
        AuditEvent.objects.filter(proposal=proposal, subject="proposal").values_list("action", flat=True)
    ) == ["submit", "accept_for_review"]


def test_sweeper_on_beat_recovers_every_proposal_after_the_queues_are_purged(
    worker_factory, consortium, lead
):
    in_review = [_submitted(consortium, lead, title=f"UAE cluster {n}") for n in range(2)]
    returned = [
        _submitted(consortium, lead, title=f"Saudi cluster {n}", country="SA", city="Riyadh")
        for n in range(2)
    ]
    # After submission the program marks Saudi Arabia a country of concern: the server's verdict at
    # intake, not the checklist the consortium saw, decides.
    Country.objects.filter(code="SA").update(is_country_of_concern=True)
    assert broker_backlog()["intake"] == 4

    broker_purge()
    assert broker_idle()

    worker_factory(
        beat=True,
        env={"EXPORTAI_SWEEPER_INTERVAL_SECONDS": "1", "EXPORTAI_SWEEPER_STALE_AFTER_SECONDS": "1"},
    )

    wait_until(
        lambda: not Proposal.objects.filter(status=ProposalStatus.SUBMITTED).exists(),
        timeout=DEADLINE,
        message="the sweeper to re-enqueue every submitted proposal",
    )
    assert {p.pk: _status(p.pk) for p in in_review + returned} == {
        **{p.pk: ProposalStatus.IN_REVIEW for p in in_review},
        **{p.pk: ProposalStatus.RETURNED for p in returned},
    }
    for proposal in in_review + returned:
        assert len(_intake_events(proposal.pk)) == 1
    event = AuditEvent.objects.get(proposal=returned[0], action="return_incomplete")
    assert {f["code"] for f in event.data["findings"]} == {"PARTY_COUNTRY_OF_CONCERN"}
