"""Search's task: rebuild a proposal's search summary (sent by the sweeper when one is missing)."""

from celery import shared_task
from django.db import OperationalError, transaction

from proposals.intake.models.proposal import Proposal
from proposals.search.services import search_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def intake_refresh_search(*, proposal_id: int) -> int:
    """Rewrite the proposal's search summary from its parts (a second run writes the same row)."""
    with transaction.atomic():
        if not Proposal.objects.filter(pk=proposal_id).exists():
            return 0
        return search_refresh(proposal_ids=[proposal_id])
