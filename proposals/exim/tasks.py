"""EXIM's tasks: deal opening, terms, following the proposal, notification periods, reminders.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

import logging

from celery import shared_task

from proposals.exim.services import (
    deal_compute_terms,
    deal_deadline_reminders,
    deal_follow_proposal,
    deal_notification_sweep,
    deal_open,
)

log = logging.getLogger(__name__)


@shared_task
def exim_start_review(*, proposal_id: int) -> int | None:
    """Open the proposal's EXIM deal (idempotent); its terms follow on the exim queue."""
    deal = deal_open(proposal_id=proposal_id)
    return deal.pk if deal else None


@shared_task
def exim_compute_terms(*, deal_id: int) -> None:
    """Compute and store the deal's financing terms from the proposal's frozen revision."""
    if deal_compute_terms(deal_id=deal_id) is None:
        log.info("deal %s is gone; no terms to compute", deal_id)


@shared_task
def exim_follow_proposal(*, proposal_id: int) -> int | None:
    """Close the proposal's pending deal when the proposal was withdrawn or declined elsewhere."""
    deal = deal_follow_proposal(proposal_id=proposal_id)
    return deal.pk if deal else None


@shared_task
def exim_notification_sweep() -> list[int]:
    """Beat: authorize deals whose congressional notification period has run."""
    return deal_notification_sweep()


@shared_task
def exim_deadline_reminders() -> int:
    """Beat: remind EXIM officers of target dates near or passed and of stages past their benchmark."""
    return deal_deadline_reminders()
