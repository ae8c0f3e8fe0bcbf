"""Requests for information, reviewer assignment, the stored clock and the start-review fan-out."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from proposals.commerce.models import CommerceReview, InformationRequest, LicenseGate
from proposals.commerce.services.review import (
    commerce_review_start,
    information_request_answer,
    information_request_create,
    review_assign,
    review_auto_assign,
    review_clock_refresh,
)
from proposals.commerce.tasks import commerce_check_clocks, commerce_start_review
from proposals.core.enums import ProposalStatus, ReviewClockFlag
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.services.transitions import proposal_transition
from tests.factories import CommerceReviewerFactory

pytestmark = pytest.mark.django_db


def _due(days=14):
    return timezone.localdate() + timedelta(days=days)


def test_rfi_returns_the_proposal_with_question_and_due_date(in_review, commerce_reviewer):
    rfi = information_request_create(
        proposal_id=in_review.pk, actor=commerce_reviewer, question="Who owns the end user?", due_date=_due()
    )
    in_review.refresh_from_db()
    assert (in_review.status, rfi.question, rfi.due_date, rfi.asked_revision, rfi.is_open) == (
        ProposalStatus.RETURNED,
        "Who owns the end user?",
        _due(),
        1,
        True,
    )
    event = AuditEvent.objects.get(proposal=in_review, action="request_information")
    assert event.reason == "Who owns the end user?"
    assert CommerceReview.objects.get(proposal=in_review).clock_flag == ReviewClockFlag.PAUSED


def test_rfi_needs_question_and_future_due_date(in_review, commerce_reviewer):
    with pytest.raises(InvalidInput) as exc:
        information_request_create(
            proposal_id=in_review.pk, actor=commerce_reviewer, question=" ", due_date=timezone.localdate()
        )
    assert set(exc.value.extra["fields"]) == {"question", "due_date"}
    in_review.refresh_from_db()
    assert (in_review.status, InformationRequest.objects.count()) == (ProposalStatus.IN_REVIEW, 0)


def test_rfi_refused_to_consortium_users(in_review, lead):
    with pytest.raises(TransitionNotAllowed):
        information_request_create(proposal_id=in_review.pk, actor=lead, question="Q?", due_date=_due())
    assert InformationRequest.objects.count() == 0


def test_rfi_answered_by_resubmission(in_review, commerce_reviewer, lead):
    rfi = information_request_create(
        proposal_id=in_review.pk, actor=commerce_reviewer, question="Site security annex?", due_date=_due()
    )
    information_request_answer(request_id=rfi.pk, actor=lead, answer="Annex B attached.")
    proposal_transition(proposal_id=in_review.pk, action="submit", actor=lead)
    proposal_transition(proposal_id=in_review.pk, action="accept_for_review", actor=None, reason="ok")
    commerce_review_start(proposal_id=in_review.pk)
    rfi.refresh_from_db()
    assert (rfi.answer, rfi.answered_revision, rfi.is_open) == ("Annex B attached.", 2, False)


@contextmanager
def travel(days: float):
    """Timestamps written inside (audit events included) read `days` from now."""
    moment = timezone.now() + timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def test_clock_pauses_while_returned_and_resumes_on_resubmission(complete_proposal, commerce_reviewer, lead):
    pid = complete_proposal.pk
    with travel(-20):
        proposal_transition(proposal_id=pid, action="submit", actor=lead)
        proposal_transition(proposal_id=pid, action="accept_for_review", actor=None, reason="ok")
    with travel(-10):
        information_request_create(proposal_id=pid, actor=commerce_reviewer, question="Q?", due_date=_due(30))
    review_clock_refresh(proposal_ids=[pid])
    review = CommerceReview.objects.get(proposal_id=pid)
    assert (review.clock_days, review.clock_paused, review.clock_flag) == (10, True, ReviewClockFlag.PAUSED)

    with travel(-3):
        proposal_transition(proposal_id=pid, action="submit", actor=lead)
        proposal_transition(proposal_id=pid, action="accept_for_review", actor=None, reason="ok")
    review_clock_refresh(proposal_ids=[pid])
    review.refresh_from_db()
    # 10 days before the question, 7 with the applicant (not counted), 3 since resubmission.
    assert (review.clock_days, review.clock_paused, review.clock_next_mark) == (13, False, "agency answers")


def test_beat_flags_overdue_work_once(complete_proposal, lead):
    with travel(-95):
        proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    assert commerce_check_clocks() == 1
    assert commerce_check_clocks() == 0
    review = CommerceReview.objects.get(proposal=complete_proposal)
    assert (review.clock_days, review.clock_flag) == (95, ReviewClockFlag.OVERDUE)
    assert (
        AuditEvent.objects.filter(
            proposal=complete_proposal, action="clock_flagged", to_state="overdue"
        ).count()
        == 1
    )


def test_beat_flags_work_near_a_mark(in_review):
    review_clock_refresh(now=timezone.now() + timedelta(days=7, hours=1))
    review = CommerceReview.objects.get(proposal=in_review)
    assert (review.clock_next_mark, review.clock_days_to_mark, review.clock_flag) == (
        "referral to agencies",
        2,
        ReviewClockFlag.NEAR_DEADLINE,
    )


# --- Assignment -----------------------------------------------------------------------------------


def test_self_assign_records_reviewer_and_audit(in_review, commerce_reviewer):
    review_assign(proposal_id=in_review.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)
    review = CommerceReview.objects.get(proposal=in_review)
    assert review.reviewer == commerce_reviewer
    assert AuditEvent.objects.get(proposal=in_review, action="commerce_assigned").to_state == "commerce"


def test_assign_refuses_non_commerce_reviewer(in_review, commerce_reviewer, exim_officer):
    with pytest.raises(InvalidInput):
        review_assign(proposal_id=in_review.pk, reviewer_id=exim_officer.pk, actor=commerce_reviewer)
    with pytest.raises(TransitionNotAllowed):
        review_assign(proposal_id=in_review.pk, reviewer_id=commerce_reviewer.pk, actor=exim_officer)


def test_auto_assign_picks_the_least_loaded_reviewer(
    in_review, consortium, lead, commerce_reviewer, reviewer_b
):
    from proposals.demo import build_complete_proposal

    other = build_complete_proposal(consortium=consortium, lead=lead, title="Second")
    proposal_transition(proposal_id=other.pk, action="submit", actor=lead)
    review_assign(proposal_id=other.pk, reviewer_id=commerce_reviewer.pk, actor=commerce_reviewer)

    review = review_auto_assign(proposal_id=in_review.pk)
    assert review.reviewer == reviewer_b
    assert review_auto_assign(proposal_id=in_review.pk).reviewer == reviewer_b  # idempotent


def test_auto_assign_without_reviewers_leaves_it_unassigned(in_review):
    assert review_auto_assign(proposal_id=in_review.pk).reviewer is None


def test_start_review_task_fans_out_to_screening_licenses_and_assignment(in_review, settings, csl_file):
    from proposals.commerce.services.screening import screening_list_load

    settings.CELERY_TASK_ALWAYS_EAGER = True
    screening_list_load(source=str(csl_file))
    reviewer = CommerceReviewerFactory(username="solo")
    commerce_start_review(proposal_id=in_review.pk)
    review = CommerceReview.objects.get(proposal=in_review)
    assert review.reviewer == reviewer
    assert review.screened_at is not None and review.licenses_determined_at is not None
    assert LicenseGate.objects.filter(proposal=in_review).count() == 2
    assert in_review.screening_hits.count() == 1


def test_start_review_task_does_nothing_once_the_proposal_left_review(complete_proposal):
    commerce_start_review(proposal_id=complete_proposal.pk)
    assert CommerceReview.objects.count() == 0
