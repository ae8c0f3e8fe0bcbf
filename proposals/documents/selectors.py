"""Documents' reads: the paper renders owed (for the sweeper, intake.workflow.OWED_WORK)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from proposals.documents.models import PaperRender

# A render task's hard time limit is this much above its soft one (EXPORTAI_PAPER_RENDER_SECONDS): a
# render started longer ago than both has ended, one way or another.
PAPER_HARD_LIMIT_MARGIN_SECONDS = 30


def owed_paper_renders(*, older_than: datetime) -> QuerySet[PaperRender]:
    """Renders asked for and not stored: queued since before `older_than` (the message presumed lost),
    or started longer ago than a render may run, whatever `older_than` says (its worker died or was
    stopped). Not those marked not renderable."""
    ran_out = timezone.now() - timedelta(
        seconds=settings.EXPORTAI_PAPER_RENDER_SECONDS + PAPER_HARD_LIMIT_MARGIN_SECONDS
    )
    return (
        PaperRender.objects.filter(refused="")
        .filter(Q(started_at__isnull=True, requested_at__lt=older_than) | Q(started_at__lt=ran_out))
        .order_by("requested_at", "pk")
    )
