"""Intake's tasks: automated intake of a submitted revision, bill-of-materials imports too large for a
web request, and the one sweeper of owed work.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string

from exportai.celery import app
from proposals.intake.selectors import stale_cutoff
from proposals.intake.services.bom_jobs import bom_import_job_run
from proposals.intake.services.intake import intake_check
from proposals.intake.workflow import OWED_WORK

log = logging.getLogger(__name__)


# A database that is briefly unreachable is retried here; anything else is left to the sweeper.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def intake_check_proposal(*, proposal_id: int) -> str | None:
    """Run automated intake on the proposal's latest revision (no-op unless it is still submitted)."""
    return intake_check(proposal_id=proposal_id)


# acks_late (the project's default, stated here because the job depends on it): a worker that dies
# reading the file gives the message back. Its reading is bounded by BOM_IMPORT_CPU_SECONDS.
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def intake_import_bom(*, job_id: int) -> str:
    """Read a stored bill of materials and add its line items, all or none (no-op once finished)."""
    return bom_import_job_run(job_id=job_id)


@shared_task
def intake_sweep_owed_work() -> int:
    """Beat: send again the work each track owes (workflow.OWED_WORK) that has waited too long, its
    message presumed lost; at most EXPORTAI_SWEEPER_BATCH rows per kind of work, oldest first."""
    now = timezone.now()
    cutoff = stale_cutoff(now)
    total = 0
    with app.producer_or_acquire() as producer:
        for row in OWED_WORK:
            owing = import_string(row.owing)(older_than=cutoff)
            keys = list(owing.values_list("pk", flat=True)[: settings.EXPORTAI_SWEEPER_BATCH])
            task = import_string(row.task)
            stamp = {"sent_at": now.isoformat()} if row.stamped else {}
            for key in keys:
                task.apply_async(kwargs={row.key: key, **stamp}, producer=producer)
            if keys:
                log.warning("sweeper resent %s (%s) for %d row(s)", row.task, row.work, len(keys))
            total += len(keys)
    return total
