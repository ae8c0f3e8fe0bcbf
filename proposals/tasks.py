"""Celery tasks: thin. Each takes ids as keyword arguments, re-reads the database, calls one service.

Tasks are acknowledged late and idempotent; the database, not the message, says what is left to do,
and `intake_sweep_stale_work` re-enqueues anything that has waited too long.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


# A database that is briefly unreachable is retried here; anything else is left to the sweeper.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def intake_check_proposal(*, proposal_id: int) -> str | None:
    """Run automated intake on the proposal's latest revision (no-op unless it is still submitted)."""
    from proposals.services.intake import intake_check

    return intake_check(proposal_id=proposal_id)


@shared_task
def commerce_start_review(*, proposal_id: int) -> None:
    """Open Commerce's track, then fan out: screening, license determination, reviewer assignment."""
    from proposals.services.commerce import commerce_review_start

    if commerce_review_start(proposal_id=proposal_id) is None:
        log.info("commerce review of proposal %s: no longer in review, nothing to do", proposal_id)
        return
    for task in (commerce_screen_proposal, commerce_determine_licenses, commerce_assign_reviewer):
        task.apply_async(kwargs={"proposal_id": proposal_id})


@shared_task
def commerce_screen_proposal(*, proposal_id: int) -> int:
    """Screen every member, parent and party against the newest Consolidated Screening List."""
    from proposals.services.screening import proposal_screen

    return proposal_screen(proposal_id=proposal_id)


@shared_task
def commerce_determine_licenses(*, proposal_id: int) -> dict[str, int]:
    """Open or close license gates under the licensing policy in force."""
    from proposals.services.licensing import licenses_determine

    return licenses_determine(proposal_id=proposal_id)


@shared_task
def commerce_assign_reviewer(*, proposal_id: int) -> None:
    """Give an unassigned review to the least-loaded Commerce reviewer."""
    from proposals.services.commerce import review_auto_assign

    review_auto_assign(proposal_id=proposal_id)


@shared_task
def commerce_check_clocks() -> int:
    """Beat: refresh every review clock; flag (in the audit trail) work near a mark or overdue."""
    from proposals.services.commerce import review_clock_refresh

    changed = review_clock_refresh()
    if changed:
        log.info("commerce clocks: %d flag(s) changed", len(changed))
    return len(changed)


@shared_task
def exim_start_review(*, proposal_id: int) -> int | None:
    """Open the proposal's EXIM deal (idempotent); its terms follow on the exim queue."""
    from proposals.services.exim import deal_open

    deal = deal_open(proposal_id=proposal_id)
    return deal.pk if deal else None


@shared_task
def exim_compute_terms(*, deal_id: int) -> None:
    """Compute and store the deal's financing terms from the proposal's frozen revision."""
    from proposals.services.exim import deal_compute_terms

    if deal_compute_terms(deal_id=deal_id) is None:
        log.info("deal %s is gone; no terms to compute", deal_id)


@shared_task
def exim_follow_proposal(*, proposal_id: int) -> int | None:
    """Close the proposal's pending deal when the proposal was withdrawn or declined elsewhere."""
    from proposals.services.exim import deal_follow_proposal

    deal = deal_follow_proposal(proposal_id=proposal_id)
    return deal.pk if deal else None


@shared_task
def exim_sweep_stale() -> tuple[int, int]:
    """Beat: re-enqueue deal opening and terms whose messages have waited too long (lost or killed)."""
    from proposals.services.exim import exim_stale_work

    cutoff = timezone.now() - timedelta(seconds=settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS)
    missing, stale_terms = exim_stale_work(older_than=cutoff)
    for proposal_id in missing:
        exim_start_review.apply_async(kwargs={"proposal_id": proposal_id})
    for deal_id in stale_terms:
        exim_compute_terms.apply_async(kwargs={"deal_id": deal_id})
    if missing or stale_terms:
        log.warning("exim sweeper re-enqueued %d deal(s) and %d term(s)", len(missing), len(stale_terms))
    return len(missing), len(stale_terms)


@shared_task
def exim_notification_sweep() -> list[int]:
    """Beat: authorize deals whose congressional notification period has run."""
    from proposals.services.exim import deal_notification_sweep

    return deal_notification_sweep()


@shared_task
def exim_deadline_reminders() -> int:
    """Beat: remind EXIM officers of target dates near or passed and of stages past their benchmark."""
    from proposals.services.exim import deal_deadline_reminders

    return deal_deadline_reminders()


@shared_task
def intake_sweep_stale_work() -> int:
    """Re-enqueue the automated work of proposals that have waited too long (workflow.AUTOMATED_WORK)."""
    from proposals.models import Proposal
    from proposals.workflow import AUTOMATED_WORK

    cutoff = timezone.now() - timedelta(seconds=settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS)
    total = 0
    for status, task_name in AUTOMATED_WORK.items():
        stale = list(
            Proposal.objects.filter(status=status, status_changed_at__lt=cutoff)
            .order_by("status_changed_at", "pk")
            .values_list("pk", flat=True)[: settings.EXPORTAI_SWEEPER_BATCH]
        )
        task = import_string(task_name)
        for proposal_id in stale:
            task.apply_async(kwargs={"proposal_id": proposal_id})
        if stale:
            log.warning("sweeper re-enqueued %s for %d %s proposal(s)", task_name, len(stale), status)
        total += len(stale)
    return total


@shared_task
def notify_send_outbox(*, message_id: int) -> str:
    """Send one outbox message; a failure reschedules it in the database (see notify_flush_outbox)."""
    from proposals.services.notify import outbox_send

    return outbox_send(message_id=message_id)


@shared_task
def notify_flush_outbox() -> int:
    """Beat: enqueue every pending message that is due (retries after backoff, and lost nudges)."""
    from proposals.services.notify import outbox_due

    due = outbox_due()
    for message_id in due:
        notify_send_outbox.apply_async(kwargs={"message_id": message_id})
    return len(due)


@shared_task
def notify_daily_digest() -> int:
    """Beat, once a day: bundle each digest subscriber's held messages into one email."""
    from proposals.services.notify import digest_build

    return len(digest_build())


@shared_task
def document_render_dossier(*, proposal_id: int) -> str | None:
    """Render the dossier of the proposal's latest revision, unless the stored one is current."""
    from proposals.enums import GeneratedKind
    from proposals.services.generated import generated_render

    return generated_render(proposal_id=proposal_id, kind=GeneratedKind.DOSSIER)


@shared_task
def document_render(*, proposal_id: int, kind: str, subject_id: int = 0) -> str | None:
    """Render any registered paper (letters from the Commerce and EXIM tracks), unless current."""
    from proposals.services.generated import generated_render

    return generated_render(proposal_id=proposal_id, kind=kind, subject_id=subject_id)
