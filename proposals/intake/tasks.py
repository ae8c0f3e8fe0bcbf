"""Intake's tasks: automated intake of a submitted revision, and the sweeper.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.intake.models.proposal import Proposal
from proposals.intake.services.intake import intake_check
from proposals.intake.workflow import AUTOMATED_WORK

log = logging.getLogger(__name__)


# A database that is briefly unreachable is retried here; anything else is left to the sweeper.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def intake_check_proposal(*, proposal_id: int) -> str | None:
    """Run automated intake on the proposal's latest revision (no-op unless it is still submitted)."""
    return intake_check(proposal_id=proposal_id)


@shared_task
def intake_sweep_stale_work() -> int:
    """Re-enqueue the automated work of proposals that have waited too long (workflow.AUTOMATED_WORK)."""
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
