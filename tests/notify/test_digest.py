"""Daily digest: a digest subscriber's messages are held, then bundled into one email per day."""

import pytest
from django.urls import reverse

from proposals.core.enums import NotificationEvent, NotificationFrequency, OutboxStatus
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.models import NotificationPreference, OutboxMessage
from proposals.notify.services import digest_build, notification_preference_set, outbox_send
from proposals.notify.tasks import notify_daily_digest
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(complete_proposal, lead, editor, commerce_reviewer):
    """Editor on the digest, lead immediate; the proposal submitted, then asked for information."""
    from proposals.intake.services.intake import intake_check

    notification_preference_set(user=editor, frequency=NotificationFrequency.DAILY_DIGEST)
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    intake_check(proposal_id=complete_proposal.pk)
    proposal_transition(
        proposal_id=complete_proposal.pk,
        action="request_information",
        actor=commerce_reviewer,
        reason="Which tier is the site certified at?",
    )
    return complete_proposal


def test_digest_subscriber_messages_are_held_not_sent(returned, django_capture_on_commit_callbacks):
    held = OutboxMessage.objects.filter(recipient="editor@example.test")
    assert sorted(held.values_list("event", "status")) == [
        (NotificationEvent.INFORMATION_REQUESTED, OutboxStatus.HELD),
        (NotificationEvent.SUBMITTED, OutboxStatus.HELD),
    ]
    assert (
        OutboxMessage.objects.filter(recipient="lead@example.test", status=OutboxStatus.PENDING).count() == 2
    )


def test_digest_bundles_held_messages_into_one_email(returned, smtp_server):
    (digest,) = digest_build()
    assert (digest.recipient, digest.event, digest.status) == (
        "editor@example.test",
        NotificationEvent.DIGEST,
        OutboxStatus.PENDING,
    )
    assert digest.subject.endswith(": 2 updates")
    assert "1. Submitted: UAE AI Cluster (revision 1)" in digest.body
    assert "2. Request for information: UAE AI Cluster" in digest.body
    assert "Which tier is the site certified at?" in digest.body
    assert "/account/notifications/" in digest.body
    bundled = OutboxMessage.objects.filter(recipient="editor@example.test").exclude(pk=digest.pk)
    assert set(bundled.values_list("status", "digest_id")) == {(OutboxStatus.DIGESTED, digest.pk)}

    assert outbox_send(message_id=digest.pk) == "sent"
    (received,) = smtp_server.messages
    assert (received["To"], received["Subject"]) == ("editor@example.test", digest.subject)


def test_digest_twice_sends_nothing_new(returned):
    assert len(digest_build()) == 1
    assert digest_build() == []
    assert notify_daily_digest() == 0


@pytest.mark.parametrize("users", [1, 3])
def test_digest_query_count_does_not_grow_with_users(consortium, users, django_assert_num_queries):
    from tests.factories import ProposalFactory, UserFactory

    proposal = ProposalFactory(consortium=consortium)
    recipients = [UserFactory() for _ in range(users)]
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            user=u,
            recipient=u.email,
            event="submitted",
            subject="s",
            body="b",
            status=OutboxStatus.HELD,
            proposal=proposal,
        )
        for u in recipients
        for _ in range(2)
    )
    # savepoint, lock held, then per recipient: insert digest + mark bundled; release
    with django_assert_num_queries(3 + 2 * users):
        assert len(digest_build()) == users


def test_preference_api_reads_and_sets(api_client, editor):
    api_client.force_authenticate(editor)
    url = reverse("api-notification-preference")
    assert api_client.get(url).json() == {"frequency": "immediate"}
    response = api_client.put(url, {"frequency": "daily_digest"}, format="json")
    assert (response.status_code, response.json()) == (200, {"frequency": "daily_digest"})
    assert NotificationPreference.objects.get(user=editor).frequency == NotificationFrequency.DAILY_DIGEST


def test_preference_api_refuses_unknown_choice(api_client, editor):
    api_client.force_authenticate(editor)
    response = api_client.put(reverse("api-notification-preference"), {"frequency": "hourly"}, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"frequency": ['"hourly" is not a valid choice.']}
    assert not NotificationPreference.objects.exists()


def test_preference_page_saves_choice(client, editor):
    client.login(username="editor", password=TEST_PASSWORD)
    url = reverse("notification-preferences")
    assert client.get(url).status_code == 200
    response = client.post(url, {"frequency": "daily_digest"})
    assert (response.status_code, response["Location"]) == (302, url)
    assert NotificationPreference.objects.get(user=editor).frequency == NotificationFrequency.DAILY_DIGEST


def test_preference_page_requires_sign_in(client, db):
    response = client.get(reverse("notification-preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
