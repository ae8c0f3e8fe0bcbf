"""The table of work each track owes (intake.workflow.OWED_WORK) and the one sweeper that reads it."""

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.commerce.models import CommerceReview
from proposals.commerce.services.screening import screening_request
from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import owed_work_delayed
from proposals.intake.tasks import intake_sweep_owed_work
from proposals.intake.workflow import OWED_WORK

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict]]:
    """Every task the sweeper sends, by name, instead of the broker."""
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(Task, "apply_async", lambda self, kwargs=None, **_: calls.append((self.name, kwargs)))
    return calls


def _age(proposal: Proposal, **delta: float) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status_changed_at=timezone.now() - timedelta(**delta))


def test_owed_work_every_row_names_a_selector_and_a_task_that_exist():
    for row in OWED_WORK:
        assert callable(import_string(row.owing)), row
        assert import_string(row.task).name == row.task, row
    tracks = {row.track for row in OWED_WORK}
    assert tracks == {"intake", "commerce", "exim", "documents"}


def test_owed_work_nothing_is_owed_by_a_draft(complete_proposal, sent):
    _age(complete_proposal, hours=1)
    assert intake_sweep_owed_work() == 0
    assert sent == []


def test_owed_work_a_proposal_accepted_whose_messages_were_lost_is_owed_each_step(
    in_review, commerce_reviewer, sent, settings
):
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 60
    _age(in_review, minutes=5)
    intake_sweep_owed_work()
    assert sorted(
        name.rsplit(".", 1)[1] for name, kwargs in sent if kwargs == {"proposal_id": in_review.pk}
    ) == [
        "commerce_assign_reviewer",
        "commerce_determine_licenses",
        "commerce_register_clock",
        "document_render_dossier",
        "exim_start_review",
    ]
    assert owed_work_delayed(proposal_id=in_review.pk) == [
        "review clock registration",
        "license determination (this revision, the policy in force)",
        "reviewer assignment",
        "deal opening",
        "dossier of the current revision",
    ]


def test_owed_work_not_yet_stale_is_not_sent(in_review, sent, settings):
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 600
    _age(in_review, minutes=5)
    assert intake_sweep_owed_work() == 0
    assert owed_work_delayed(proposal_id=in_review.pk) == []


def test_owed_work_screening_asked_for_is_owed_until_it_runs(
    in_review, csl_file, commerce_reviewer, sent, settings
):
    from proposals.commerce.services.screening import proposal_screen, screening_list_load

    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 60
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    screening_request(proposal_id=in_review.pk, actor=commerce_reviewer)
    CommerceReview.objects.filter(proposal=in_review).update(
        screening_requested_at=timezone.now() - timedelta(minutes=5)
    )
    intake_sweep_owed_work()
    screens = [kwargs for name, kwargs in sent if name.endswith("commerce_screen_proposal")]
    assert [k["proposal_id"] for k in screens] == [in_review.pk] and screens[0]["sent_at"]
    assert "screening" in owed_work_delayed(proposal_id=in_review.pk)[0]

    proposal_screen(proposal_id=in_review.pk)
    sent.clear()
    intake_sweep_owed_work()
    assert not [name for name, _ in sent if name.endswith("commerce_screen_proposal")]


def test_owed_work_a_resent_screening_done_since_is_dropped(in_review, csl_file):
    from proposals.commerce.services.screening import proposal_screen, screening_list_load
    from proposals.core.models.audit import AuditEvent

    screening_list_load(source=str(csl_file))
    sent_at = timezone.now()
    proposal_screen(proposal_id=in_review.pk, sent_at=sent_at)  # the first delivery screens
    proposal_screen(proposal_id=in_review.pk, sent_at=sent_at)  # its duplicate does nothing
    assert AuditEvent.objects.filter(proposal=in_review, action="screened").count() == 1
    assert Proposal.objects.get(pk=in_review.pk).status == ProposalStatus.IN_REVIEW
