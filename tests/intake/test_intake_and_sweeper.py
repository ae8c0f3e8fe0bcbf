"""Automated intake's verdict and the sweeper that re-enqueues work stuck in an automated state."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from proposals.commerce.tasks import commerce_start_review
from proposals.core.enums import ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import Country
from proposals.exim.tasks import exim_start_review
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import completeness_rules
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.tasks import intake_check_proposal, intake_sweep_owed_work
from tests.factories import ProposalFactory
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(complete_proposal, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(intake_check_proposal, "apply_async", lambda kwargs, **_: calls.append(kwargs))
    return calls


def test_intake_returns_proposal_when_the_server_finds_blocking_items(
    submitted, django_capture_on_commit_callbacks
):
    # The destination became a country of concern after submission: the server's check decides.
    Country.objects.filter(code="AE").update(is_country_of_concern=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert intake_check(proposal_id=submitted.pk) == "return_incomplete"
    event = AuditEvent.objects.get(proposal=submitted, action="return_incomplete")
    assert (event.from_state, event.to_state, event.actor, event.revision) == (
        "submitted",
        "returned",
        None,
        1,
    )
    assert {f["code"] for f in event.data["findings"]} == {"PARTY_COUNTRY_OF_CONCERN"}
    assert event.reason.startswith("Automated intake found items to fix:\n- [PARTY_COUNTRY_OF_CONCERN]")
    # no review fan-out for a returned proposal: only the consortium's "returned with findings" email
    from proposals.notify.models import OutboxMessage

    assert len(sends(callbacks)) == OutboxMessage.objects.filter(event="returned").count() == 1


def test_intake_accepts_and_fans_out_to_commerce_and_exim_after_commit(
    submitted, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[tuple[str, dict]] = []
    for task in (commerce_start_review, exim_start_review):
        monkeypatch.setattr(task, "apply_async", lambda kwargs, _n=task.name, **_: sent.append((_n, kwargs)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert intake_check(proposal_id=submitted.pk) == "accept_for_review"
    assert Proposal.objects.get(pk=submitted.pk).status == ProposalStatus.IN_REVIEW
    assert sent == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sent == [
        ("proposals.commerce.tasks.commerce_start_review", {"proposal_id": submitted.pk}),
        ("proposals.exim.tasks.exim_start_review", {"proposal_id": submitted.pk}),
    ]


def test_intake_of_a_proposal_no_longer_submitted_does_nothing(submitted, lead):
    proposal_transition(proposal_id=submitted.pk, action="withdraw", actor=lead, reason="Changed plans.")
    assert intake_check(proposal_id=submitted.pk) is None
    assert Proposal.objects.get(pk=submitted.pk).status == ProposalStatus.WITHDRAWN


def test_intake_inside_another_transaction_leaves_that_transaction_durable(
    submitted, django_capture_on_commit_callbacks
):
    """Inside the test's transaction intake's block is not the database transaction: its read must not
    ask for asynchronous commit (tests/integration/test_intake_commit.py: its own transaction does)."""
    sent: list[str] = []

    def observe(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe), django_capture_on_commit_callbacks(execute=False):
        assert intake_check(proposal_id=submitted.pk) == "accept_for_review"
    assert [sql for sql in sent if "FOR UPDATE" in sql]
    assert not [sql for sql in sent if "synchronous_commit" in sql]


def test_intake_of_a_missing_proposal_does_nothing(db):
    assert intake_check(proposal_id=987654) is None


@pytest.mark.parametrize(("rules_max_age", "queries"), [(0, 6), (60, 4)])
def test_intake_query_count_is_fixed(
    rules_max_age, queries, submitted, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS = rules_max_age
    completeness_rules()  # a worker that has read the rules recently reuses them when allowed
    # [program settings, countries,] lock+revision, the update with its audit insert (one statement);
    # plus the savepoint pair pytest-django's test transaction adds around intake's atomic block
    # (inside it, intake's asynchronous commit is not asked for: tests/core/test_engine_write.py).
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(queries):
        intake_check(proposal_id=submitted.pk)


def test_sweeper_re_enqueues_only_proposals_waiting_longer_than_the_limit(consortium, sent, settings):
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 300
    now = timezone.now()
    stale = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED)
    fresh = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED)
    draft = ProposalFactory(consortium=consortium, status=ProposalStatus.DRAFT)
    Proposal.objects.filter(pk__in=[stale.pk, draft.pk]).update(status_changed_at=now - timedelta(hours=1))
    Proposal.objects.filter(pk=fresh.pk).update(status_changed_at=now - timedelta(seconds=60))

    assert intake_sweep_owed_work() == 1
    assert sent == [{"proposal_id": stale.pk}]


def test_sweeper_re_enqueues_at_most_one_batch_oldest_first(consortium, sent, settings):
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 300
    settings.EXPORTAI_SWEEPER_BATCH = 2
    proposals = [ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED) for _ in range(3)]
    for age, proposal in zip((10, 30, 20), proposals, strict=True):
        Proposal.objects.filter(pk=proposal.pk).update(
            status_changed_at=timezone.now() - timedelta(hours=age)
        )

    assert intake_sweep_owed_work() == 2
    assert sent == [{"proposal_id": proposals[1].pk}, {"proposal_id": proposals[2].pk}]
