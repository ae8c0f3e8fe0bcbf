"""The outbox: stored in the caller's transaction, sent to a real SMTP server, retried, never lost."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from proposals.core.enums import NotificationEvent, OutboxStatus
from proposals.notify.models import OutboxMessage
from proposals.notify.services import notify_proposal_event, outbox_due, outbox_send, retry_delay
from proposals.notify.tasks import notify_flush_outbox, notify_send_outbox
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(complete_proposal, lead) -> OutboxMessage:
    """One pending message to the lead (the only user of the consortium here)."""
    (stored,) = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)
    return stored


def test_retry_delay_doubles_from_the_base_and_stops_at_the_cap():
    delays = [retry_delay(attempts=n, base_seconds=60, max_seconds=600).total_seconds() for n in range(1, 7)]
    assert delays == [60, 120, 240, 480, 600, 600]


def test_queue_stores_pending_message_and_sends_only_after_commit(
    complete_proposal, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stored = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)
    assert [(m.recipient, m.status, m.attempts) for m in stored] == [
        ("lead@example.test", OutboxStatus.PENDING, 0)
    ]
    assert len(sends(callbacks)) == 1


def test_queue_inside_rolled_back_transaction_leaves_nothing(complete_proposal, lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)
        raise RuntimeError("the change that caused the email failed")
    assert OutboxMessage.objects.count() == 0


def test_send_delivers_to_smtp_server(message, smtp_server):
    assert outbox_send(message_id=message.pk) == "sent"
    (received,) = smtp_server.messages
    assert received["To"] == "lead@example.test"
    assert received["Subject"] == "Submitted: UAE AI Cluster (revision 0)"
    assert received["Message-ID"] == f"<outbox.{message.pk}@exportai.localhost>"
    assert "Test Consortium submitted" in received.get_payload()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, "")
    assert message.sent_at is not None


def test_send_twice_delivers_once(message, smtp_server):
    assert outbox_send(message_id=message.pk) == "sent"
    assert outbox_send(message_id=message.pk) == "skipped"
    assert len(smtp_server.messages) == 1


def test_send_while_server_down_backs_off_and_later_delivers(message, smtp_server, settings):
    smtp_server.stop()
    now = timezone.now()

    assert outbox_send(message_id=message.pk, now=now) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at == now + timedelta(seconds=settings.EXPORTAI_OUTBOX_RETRY_BASE_SECONDS)
    assert message.last_error.startswith("ConnectionRefusedError")

    # Not due yet: neither the flush nor a stray send touches it.
    assert outbox_due(now=now + timedelta(seconds=59)) == []
    assert outbox_send(message_id=message.pk, now=now + timedelta(seconds=59)) == "skipped"

    later = now + timedelta(seconds=60)
    assert outbox_send(message_id=message.pk, now=later) == "retry"
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == later + timedelta(seconds=120)  # doubled

    smtp_server.start()
    due = later + timedelta(seconds=120)
    assert outbox_due(now=due) == [message.pk]
    assert outbox_send(message_id=message.pk, now=due) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.SENT, 3, due)
    assert [m["To"] for m in smtp_server.messages] == ["lead@example.test"]


def test_send_refused_by_server_is_kept_and_retried(message, smtp_server):
    smtp_server.handler.reject_recipients = True
    now = timezone.now()
    assert outbox_send(message_id=message.pk, now=now) == "retry"
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith("SMTPRecipientsRefused")
    assert smtp_server.messages == []

    smtp_server.handler.reject_recipients = False
    assert outbox_send(message_id=message.pk, now=message.next_attempt_at) == "sent"
    assert len(smtp_server.messages) == 1


def test_send_task_is_thin_and_idempotent(message, smtp_server):
    assert notify_send_outbox(message_id=message.pk) == "sent"
    assert notify_send_outbox(message_id=message.pk) == "skipped"
    assert notify_send_outbox(message_id=999_999) == "skipped"


def test_flush_enqueues_due_messages_only(complete_proposal, lead, editor, monkeypatch):
    first, second = notify_proposal_event(event=NotificationEvent.SUBMITTED, proposal=complete_proposal)
    OutboxMessage.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    sent: list[dict] = []
    monkeypatch.setattr(notify_send_outbox, "apply_async", lambda kwargs: sent.append(kwargs))
    assert notify_flush_outbox() == 1
    assert sent == [{"message_id": first.pk}]
