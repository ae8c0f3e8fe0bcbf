"""What designation changes: first in the Commerce queue and the EXIM pipeline; the letter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.commerce.selectors import CommerceQueueFilter, commerce_queue_for
from proposals.core.enums import GeneratedKind, ProposalStatus
from proposals.documents.papers import PAPERS
from proposals.documents.papers.designation import designation_letter_context
from proposals.exim.models import Deal
from proposals.exim.selectors import deal_pipeline
from tests.evaluation.conftest import designate
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_designated_package_sorts_first_in_the_commerce_queue(
    scoring, evaluators, officer, consortium, commerce_reviewer
):
    older = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title="Older"
    )
    CommerceReview.objects.filter(proposal=older).update(clock_days=80)
    CommerceReview.objects.get_or_create(proposal=scoring.proposal)

    before = [p.title for p in CommerceQueueFilter({}, queryset=commerce_queue_for(commerce_reviewer)).qs]
    assert before == ["Older", "Northwind Cluster"]
    designate(scoring, evaluators, officer)

    after = [p.title for p in CommerceQueueFilter({}, queryset=commerce_queue_for(commerce_reviewer)).qs]
    assert after == ["Northwind Cluster", "Older"]


def test_designated_package_sorts_first_in_the_exim_pipeline(
    scoring, evaluators, officer, consortium, exim_officer
):
    older = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title="Older"
    )
    Deal.objects.create(proposal=older, stage_entered_at=timezone.now() - timedelta(days=30))
    Deal.objects.create(proposal=scoring.proposal)

    assert [d.proposal.title for d in deal_pipeline(exim_officer, {}).qs] == ["Older", "Northwind Cluster"]
    designate(scoring, evaluators, officer)

    assert [d.proposal.title for d in deal_pipeline(exim_officer, {}).qs] == ["Northwind Cluster", "Older"]


def test_designation_letter_is_a_registered_paper_with_the_reasons(scoring, evaluators, officer):
    assert GeneratedKind.DESIGNATION_LETTER in PAPERS
    assert designation_letter_context(scoring.proposal, scoring.pk) is None  # not designated yet
    panel = designate(scoring, evaluators, officer)

    context = designation_letter_context(panel.proposal, panel.pk)

    assert context["reason"] == "National interest."
    assert context["consortium"] == panel.proposal.consortium.name
