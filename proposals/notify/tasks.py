"""Notify's tasks: sending the outbox and the daily digest.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

from celery import shared_task

from proposals.notify.services import digest_build, outbox_due, outbox_send


@shared_task
def notify_send_outbox(*, message_id: int) -> str:
    """Send one outbox message; a failure reschedules it in the database (see notify_flush_outbox)."""
    return outbox_send(message_id=message_id)


@shared_task
def notify_flush_outbox() -> int:
    """Beat: enqueue every pending message that is due (retries after backoff, and lost nudges)."""
    due = outbox_due()
    for message_id in due:
        notify_send_outbox.apply_async(kwargs={"message_id": message_id})
    return len(due)


@shared_task
def notify_daily_digest() -> int:
    """Beat, once a day: bundle each digest subscriber's held messages into one email."""
    return len(digest_build())
