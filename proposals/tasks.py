"""Celery tasks: thin. Each takes ids as keyword arguments, re-reads the database, calls one service.

Tasks are acknowledged late and idempotent; the database, not the message, says what is left to do,
and `sweep_stale_work` re-enqueues anything that has waited too long.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from proposals.enums import ProposalStatus

log = logging.getLogger(__name__)


@shared_task
def intake_check_proposal(*, proposal_id: int) -> str | None:
    from proposals.services.intake import intake_check

    return intake_check(proposal_id=proposal_id)


@shared_task
def commerce_start_review(*, proposal_id: int) -> None:
    """Screening and license determination (built out by the Commerce review work)."""
    log.info("commerce review queued for proposal %s", proposal_id)


@shared_task
def exim_start_review(*, proposal_id: int) -> None:
    """Deal creation and terms (built out by the EXIM review work)."""
    log.info("exim review queued for proposal %s", proposal_id)


@shared_task
def sweep_stale_work() -> int:
    """Re-enqueue intake for proposals that have waited in `submitted` longer than the limit."""
    from proposals.models import Proposal

    cutoff = timezone.now() - timedelta(seconds=settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS)
    stale = list(
        Proposal.objects.filter(status=ProposalStatus.SUBMITTED, status_changed_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for proposal_id in stale:
        intake_check_proposal.apply_async(kwargs={"proposal_id": proposal_id})
    if stale:
        log.warning("sweeper re-enqueued intake for %d proposal(s)", len(stale))
    return len(stale)
