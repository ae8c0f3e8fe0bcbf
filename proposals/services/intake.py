"""Automated intake: the server's completeness verdict on the frozen revision decides the next state."""

import logging

from proposals.enums import ProposalStatus
from proposals.errors import TransitionNotAllowed
from proposals.models import Proposal, Revision
from proposals.policy.completeness import blocking, evaluate
from proposals.selectors import completeness_rules
from proposals.services.transitions import proposal_transition

log = logging.getLogger(__name__)


def intake_check(*, proposal_id: int) -> str | None:
    """Return the proposal with its findings, or put it in review. Safe to run twice.

    Returns the action taken, or None when there was nothing to do (already moved on).
    """
    proposal = Proposal.objects.filter(pk=proposal_id).only("status", "revision_number").first()
    if proposal is None or proposal.status != ProposalStatus.SUBMITTED:
        return None
    revision = Revision.objects.get(proposal_id=proposal_id, number=proposal.revision_number)
    problems = blocking(evaluate(revision.snapshot, rules=completeness_rules()))
    if problems:
        action = "return_incomplete"
        reason = "Automated intake found items to fix:\n" + "\n".join(
            f"- [{f.code}] {f.message}" for f in problems
        )
    else:
        action, reason = "accept_for_review", "Automated intake: complete."
    try:
        proposal_transition(proposal_id=proposal_id, action=action, actor=None, reason=reason)
    except TransitionNotAllowed:
        # Another delivery of the same message got there first: nothing more to do.
        log.info("intake for proposal %s already done", proposal_id)
        return None
    return action
