"""Commerce's tasks: start of review, screening, license determination, assignment, clocks.

Thin: each takes ids as keyword arguments, re-reads the database and calls one service; acknowledged
late and idempotent, so a second delivery changes nothing.
"""

import logging
from datetime import datetime

from celery import shared_task

from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import (
    commerce_review_start,
    information_request_reminders,
    review_auto_assign,
    review_clock_refresh,
)
from proposals.commerce.services.screening import proposal_screen

log = logging.getLogger(__name__)


@shared_task
def commerce_start_review(*, proposal_id: int) -> None:
    """Open Commerce's track, then fan out: screening, license determination, reviewer assignment."""
    if commerce_review_start(proposal_id=proposal_id) is None:
        log.info("commerce review of proposal %s: no longer in review, nothing to do", proposal_id)
        return
    for task in (commerce_screen_proposal, commerce_determine_licenses, commerce_assign_reviewer):
        task.apply_async(kwargs={"proposal_id": proposal_id})


@shared_task
def commerce_screen_proposal(*, proposal_id: int, sent_at: str = "") -> int:
    """Screen every member, parent and party against the newest Consolidated Screening List
    (`sent_at`, ISO 8601, from the sweeper: dropped if a screening finished since)."""
    return proposal_screen(
        proposal_id=proposal_id, sent_at=datetime.fromisoformat(sent_at) if sent_at else None
    )


@shared_task
def commerce_determine_licenses(*, proposal_id: int) -> dict[str, int]:
    """Open or close license gates under the licensing policy in force."""
    return licenses_determine(proposal_id=proposal_id)


@shared_task
def commerce_assign_reviewer(*, proposal_id: int) -> None:
    """Give an unassigned review to the least-loaded Commerce reviewer."""
    review_auto_assign(proposal_id=proposal_id)


@shared_task
def commerce_register_clock(*, proposal_id: int) -> int:
    """Register (refresh) one proposal's review clock; the sweeper sends it when registration was lost."""
    return len(review_clock_refresh(proposal_ids=[proposal_id]))


@shared_task
def commerce_check_clocks() -> int:
    """Beat: refresh every review clock; flag (in the audit trail) work near a mark or overdue."""
    changed = review_clock_refresh()
    if changed:
        log.info("commerce clocks: %d flag(s) changed", len(changed))
    return len(changed)


@shared_task
def commerce_rfi_reminders() -> int:
    """Beat: remind consortia of requests for information near their due date, and overdue; once each."""
    return information_request_reminders()
