"""Automated intake: the server's completeness verdict on the frozen revision decides the next state."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F

from proposals.core.engine import commit_without_waiting_for_disk
from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Revision
from proposals.intake.policy.completeness import blocking, evaluate
from proposals.intake.selectors import completeness_rules
from proposals.intake.services.transitions import proposal_transition_locked

log = logging.getLogger(__name__)


def intake_check(*, proposal_id: int) -> str | None:
    """Return the proposal with its findings, or put it in review. Safe to run twice.

    Returns the action taken, or None when there was nothing to do (already moved on, or gone).
    """
    rules = completeness_rules(max_age=settings.EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS)
    with transaction.atomic():
        # One query locks the proposal and reads its latest frozen revision, only while it still waits
        # for intake. A concurrent delivery of the same message waits for the lock, then finds the
        # proposal moved on (PostgreSQL re-checks the condition on the locked row) and does nothing.
        # (No ORDER BY: at most one row matches, and the default ordering costs a join to compile.)
        revision = next(
            iter(
                Revision.objects.select_related("proposal")
                .select_for_update(of=("proposal",))
                .filter(
                    proposal_id=proposal_id,
                    proposal__status=ProposalStatus.SUBMITTED,
                    number=F("proposal__revision_number"),
                )
                .order_by()
            ),
            None,
        )
        if revision is None:
            log.info("intake for proposal %s: nothing to do", proposal_id)
            return None
        # Lost in a database crash, the move leaves the proposal submitted: the sweeper sends intake
        # again (OWED_WORK), and the follow-ups it sent find it not in review and do nothing.
        commit_without_waiting_for_disk()
        problems = blocking(evaluate(revision.snapshot, rules=rules))
        if problems:
            action = "return_incomplete"
            reason = "Automated intake found items to fix:\n" + "\n".join(
                f"- [{f.code}] {f.message}" for f in problems
            )
            data = {"findings": [f.as_dict() for f in problems]}
        else:
            action, reason, data = "accept_for_review", "Automated intake: complete.", {}
        proposal_transition_locked(
            proposal=revision.proposal, action=action, actor=None, reason=reason, data=data
        )
    return action
