"""Where clearance and delayed background work show: the Commerce page and API, the consortium's
progress page and API (commerce.selectors.commerce_clearance, intake.selectors.owed_work_delayed)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from proposals.intake.models.proposal import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def waited(in_review, settings):
    """In review for five minutes, none of its automated work done (every message lost)."""
    settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = 60
    Proposal.objects.filter(pk=in_review.pk).update(status_changed_at=timezone.now() - timedelta(minutes=5))
    return in_review


def test_clearance_commerce_page_names_what_is_not_yet_done(client, commerce_reviewer, in_review):
    client.force_login(commerce_reviewer)
    body = client.get(reverse("commerce-proposal", args=[in_review.pk])).content.decode()
    assert "Not cleared (EXIM cannot finalize financing)" in body
    assert "License determination has not run for revision 1." in body
    assert "Background work is delayed" not in body  # it has not waited long enough to say so


def test_clearance_commerce_api_gives_cleared_reasons_and_delayed_work(commerce_reviewer, waited):
    api = APIClient()
    api.force_authenticate(commerce_reviewer)
    data = api.get(reverse("api-commerce-proposal", args=[waited.pk])).json()
    assert data["clearance"]["cleared"] is False and data["clearance"]["cleared_at"] is None
    assert data["clearance"]["reasons"][0] == "License determination has not run for revision 1."
    assert "license determination (this revision, the policy in force)" in data["background_delayed"]


def test_owed_work_delayed_is_said_on_the_commerce_page_and_to_the_consortium(
    client, commerce_reviewer, lead, waited
):
    client.force_login(commerce_reviewer)
    body = client.get(reverse("commerce-proposal", args=[waited.pk])).content.decode()
    assert "Background work is delayed: " in body and "deal opening" in body
    client.force_login(lead)
    body = client.get(reverse("proposal-progress", args=[waited.pk])).content.decode()
    assert "Some automated work on your proposal is taking longer than usual." in body
    api = APIClient()
    api.force_authenticate(lead)
    assert api.get(reverse("api-proposal-progress", args=[waited.pk])).json()["delayed"] is True
