"""Automated intake: the server's completeness verdict on the frozen revision decides the next state."""

import logging

from django.db.models import F

from proposals.enums import ProposalStatus
from proposals.errors import TransitionNotAllowed
from proposals.models import Revision
from proposals.policy.completeness import blocking, evaluate
from proposals.selectors import completeness_rules
from proposals.services.transitions import proposal_transition

log = logging.getLogger(__name__)


def intake_check(*, proposal_id: int) -> str | None:
    """Return the proposal with its findings, or put it in review. Safe to run twice.

    Returns the action taken, or None when there was nothing to do (already moved on, or gone).
    """
    # One query reads the latest frozen revision only while the proposal still waits for intake; a
    # second delivery of the same message usually stops here without locking anything.
    row = (
        Revision.objects.filter(
            proposal_id=proposal_id,
            proposal__status=ProposalStatus.SUBMITTED,
            number=F("proposal__revision_number"),
        )
        .values_list("number", "snapshot")
        .first()
    )
    if row is None:
        return None
    number, snapshot = row
    problems = blocking(evaluate(snapshot, rules=completeness_rules()))
    if problems:
        action = "return_incomplete"
        reason = "Automated intake found items to fix:\n" + "\n".join(
            f"- [{f.code}] {f.message}" for f in problems
        )
        data = {"findings": [f.as_dict() for f in problems]}
    else:
        action, reason, data = "accept_for_review", "Automated intake: complete.", {}
    try:
        # The service re-checks the state under the row lock, and the revision: a concurrent delivery
        # that got there first, or a resubmission since the read above, makes this a no-op.
        proposal_transition(
            proposal_id=proposal_id,
            action=action,
            actor=None,
            reason=reason,
            data=data,
            expected_revision=number,
        )
    except TransitionNotAllowed:
        log.info("intake for proposal %s revision %s already done", proposal_id, number)
        return None
    return action
