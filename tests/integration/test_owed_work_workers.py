"""Every automated step is recoverable: with real workers, each kind of step's message is lost (the
queues purged after it was sent) and the one sweeper on beat completes the work, exactly once.

Each test leaves the state a step's message would have moved on, purges the broker, then starts a
worker with beat and a one-second sweeper; it waits for the work to be done, lets the sweeper run
twice more, and counts what was done (audit events, rows).
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from proposals.commerce.models import CommerceReview
from proposals.commerce.selectors import commerce_clearance
from proposals.commerce.services.screening import screening_list_load, screening_request
from proposals.core.enums import GeneratedKind, MemberRole, ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.demo import build_complete_proposal
from proposals.documents.models import GeneratedDocument
from proposals.exim.models import Deal
from proposals.exim.services import deal_open
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.consortium import member_add
from proposals.intake.services.transitions import proposal_transition
from tests.celery_worker import WorkerProcess, broker_backlog, broker_idle, broker_purge, wait_until
from tests.commerce.csl_fixture import csl_row, write_csl_csv
from tests.conftest import designation_requirement
from tests.factories import CommerceReviewerFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Generous: the machine is shared; a deadline only bounds a failure, it is never a timing assertion.
DEADLINE = 120
SWEEPER = {"EXPORTAI_SWEEPER_INTERVAL_SECONDS": "1", "EXPORTAI_SWEEPER_STALE_AFTER_SECONDS": "1"}
SWEPT = re.compile(r"intake_sweep_owed_work\[[^\]]+\] succeeded")


def events(proposal_id: int, action: str, subject: str | None = None) -> int:
    found = AuditEvent.objects.filter(proposal_id=proposal_id, action=action)
    return found.filter(subject=subject).count() if subject else found.count()


def sweep_twice_more(worker: WorkerProcess) -> None:
    """Let the sweeper run twice more (counted in the worker's log): work done is not done again."""
    start = len(SWEPT.findall(worker.log()))
    wait_until(
        lambda: len(SWEPT.findall(worker.log())) >= start + 2, timeout=DEADLINE, message="two more sweeps"
    )


def lost(*queues: str) -> None:
    """The messages just sent are lost: check they were sent, then empty the broker."""
    backlog = broker_backlog()
    assert all(backlog[queue] >= 1 for queue in queues), backlog
    broker_purge()
    assert broker_idle()


@pytest.fixture(autouse=True)
def _designation_not_required(request) -> None:
    """The owed work is Commerce's and EXIM's; designation's hold has its own tests (tests/evaluation)."""
    designation_requirement(request, required=False)


@pytest.fixture
def commerce_ready(tmp_path: Path) -> None:
    """A screening list that names nobody on the proposal, and a Commerce reviewer to assign."""
    path = write_csl_csv(tmp_path / "consolidated.csv", [csl_row("e-ros", "ROSOBORONEXPORT OAO")])
    screening_list_load(source=str(path))
    CommerceReviewerFactory(username="sweeper_reviewer")


@pytest.fixture
def swept(worker_factory) -> Callable[[], WorkerProcess]:
    return lambda: worker_factory(beat=True, env=SWEEPER)


def submitted(consortium, lead) -> Proposal:
    proposal = build_complete_proposal(consortium=consortium, lead=lead, title="UAE cluster")
    return proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)


def dossiers(proposal_id: int) -> list[int]:
    return list(
        GeneratedDocument.objects.filter(proposal_id=proposal_id, kind=GeneratedKind.DOSSIER).values_list(
            "revision", flat=True
        )
    )


def commerce_done(proposal_id: int) -> bool:
    """Determined and screened (only the gates it opened hold clearance), assigned, clock registered."""
    review = CommerceReview.objects.filter(proposal_id=proposal_id).first()
    return (
        review is not None
        and review.reviewer_id is not None
        and review.registered_at is not None
        and set(commerce_clearance(proposal_id=proposal_id).held) == {"gates_decided"}
    )


def terms_done(proposal_id: int) -> bool:
    return Deal.objects.filter(proposal_id=proposal_id, terms_revision=1).exists()


def test_owed_work_lost_intake_and_dossier_are_done_once_by_the_sweeper(swept, consortium, lead):
    proposal = submitted(consortium, lead)
    lost("intake", "documents")

    worker = swept()
    wait_until(
        lambda: (
            Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.IN_REVIEW and dossiers(proposal.pk)
        ),
        timeout=DEADLINE,
        message="intake and the dossier",
    )
    sweep_twice_more(worker)
    assert events(proposal.pk, "accept_for_review") == 1
    assert dossiers(proposal.pk) == [1]


def test_owed_work_lost_start_of_review_is_done_once_by_the_sweeper(swept, consortium, lead, commerce_ready):
    """Commerce's start of review (clock registration, screening, license determination, assignment)
    and EXIM's deal opening and terms, all of whose messages were lost."""
    proposal = submitted(consortium, lead)
    broker_purge()
    proposal_transition(proposal_id=proposal.pk, action="accept_for_review", actor=None, reason="Complete.")
    lost("commerce", "exim")

    worker = swept()
    wait_until(
        lambda: commerce_done(proposal.pk) and terms_done(proposal.pk) and dossiers(proposal.pk),
        timeout=DEADLINE,
        message="Commerce's and EXIM's automated work",
    )
    sweep_twice_more(worker)
    assert {
        action: events(proposal.pk, action)
        for action in ("screened", "licenses_determined", "gate_opened", "commerce_assigned")
    } == {"screened": 1, "licenses_determined": 1, "gate_opened": 2, "commerce_assigned": 1}
    assert events(proposal.pk, "open", subject="deal") == 1
    assert Deal.objects.filter(proposal=proposal).count() == 1
    assert dossiers(proposal.pk) == [1]


def test_owed_work_lost_terms_are_computed_once_by_the_sweeper(swept, consortium, lead, commerce_ready):
    proposal = submitted(consortium, lead)
    broker_purge()
    proposal_transition(proposal_id=proposal.pk, action="accept_for_review", actor=None, reason="Complete.")
    broker_purge()
    deal = deal_open(proposal_id=proposal.pk)  # opened; the terms it sends are lost
    lost("exim")
    assert Deal.objects.get(pk=deal.pk).terms_computed_at is None

    worker = swept()
    wait_until(lambda: terms_done(proposal.pk), timeout=DEADLINE, message="the deal's terms")
    sweep_twice_more(worker)
    deal.refresh_from_db()
    assert deal.terms["financed_amount"]
    assert events(proposal.pk, "open", subject="deal") == 1


def test_owed_work_queued_screening_is_backed_by_a_record_the_sweeper_finishes(
    swept, worker_factory, consortium, lead, commerce_ready, commerce_reviewer
):
    """ "Screen again now" and a member added during review answer "queued" (202): the broker lost
    both messages, and the sweeper screens the proposal once, covering the new member."""
    proposal = submitted(consortium, lead)
    first = worker_factory()  # everything runs as usual, then the worker stops
    wait_until(lambda: commerce_done(proposal.pk), timeout=DEADLINE, message="the review to start")
    wait_until(broker_idle, timeout=DEADLINE, message="the first worker's work")
    first.stop()
    assert events(proposal.pk, "screened") == 1

    screening_request(proposal_id=proposal.pk, actor=commerce_reviewer)
    member_add(
        consortium_id=consortium.pk,
        actor=lead,
        company={
            "legal_name": "Gulf Fabric Networks LLC",
            "country_of_incorporation": "US",
            "principal_place_of_business": "US",
        },
        role=MemberRole.PARTNER,
    )
    lost("commerce")
    assert CommerceReview.objects.get(proposal=proposal).screening_requested_at is not None
    assert commerce_clearance(proposal_id=proposal.pk).held["screening_current"]

    worker = swept()
    wait_until(
        lambda: CommerceReview.objects.get(proposal=proposal).screening_requested_at is None,
        timeout=DEADLINE,
        message="the screening asked for",
    )
    sweep_twice_more(worker)
    assert events(proposal.pk, "screened") == 2
    assert set(commerce_clearance(proposal_id=proposal.pk).held) == {"gates_decided"}
