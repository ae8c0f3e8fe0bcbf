"""The proposal lifecycle as data: which transitions exist, who may take them, what they trigger.

The proposal track (`proposals.intake.services.transitions`) moves proposals through it with the one
engine, `proposals.core.engine.apply`, as every other track does with its own table.
"""

from proposals.core.enums import NotificationEvent as N
from proposals.core.enums import ProposalStatus as S
from proposals.core.workflow import Actor, Transition, table, transition


def _t(
    action: str,
    sources: set[str],
    target: str,
    actors: set[str],
    *,
    label: str,
    reason_required: bool = False,
    **kw: object,
) -> Transition:
    return transition(action, sources, target, actors, label, reason_required=reason_required, **kw)


PROPOSAL_TRANSITIONS: dict[str, Transition] = table(
    _t(
        "submit",
        {S.DRAFT, S.RETURNED},
        S.SUBMITTED,
        {Actor.LEAD},
        then=(
            "proposals.intake.tasks.intake_check_proposal",
            "proposals.documents.tasks.document_render_dossier",
        ),
        notify=N.SUBMITTED,
        label="Submit",
    ),
    _t(
        "accept_for_review",
        {S.SUBMITTED},
        S.IN_REVIEW,
        {Actor.SYSTEM},
        then=("proposals.commerce.tasks.commerce_start_review", "proposals.exim.tasks.exim_start_review"),
        label="Accept for review",
    ),
    _t(
        "return_incomplete",
        {S.SUBMITTED},
        S.RETURNED,
        {Actor.SYSTEM},
        reason_required=True,
        notify=N.RETURNED,
        label="Return as incomplete",
    ),
    _t(
        "request_information",
        {S.IN_REVIEW},
        S.RETURNED,
        {Actor.COMMERCE, Actor.EXIM},
        reason_required=True,
        notify=N.INFORMATION_REQUESTED,
        label="Request information",
    ),
    # Only through the EXIM deal's final commitment (services.exim.deal_transition), which applies
    # the gate rule and the ceiling first; so no person takes this action on the proposal directly.
    _t(
        "approve",
        {S.IN_REVIEW},
        S.APPROVED,
        {Actor.SYSTEM},
        reason_required=True,
        label="Approve (final commitment)",
    ),
    _t(
        "decline",
        {S.IN_REVIEW},
        S.DECLINED,
        {Actor.COMMERCE, Actor.EXIM},
        reason_required=True,
        then=("proposals.exim.tasks.exim_follow_proposal",),
        label="Decline",
    ),
    _t(
        "withdraw",
        {S.DRAFT, S.SUBMITTED, S.RETURNED, S.IN_REVIEW},
        S.WITHDRAWN,
        {Actor.LEAD},
        reason_required=True,
        then=("proposals.exim.tasks.exim_follow_proposal",),
        label="Withdraw",
    ),
)


# The work the system owes a proposal in each automated state, by dotted task name (each takes
# proposal_id). The sweeper re-enqueues it for any proposal that has waited there too long, since the
# message that should have moved it on may have been lost.
AUTOMATED_WORK: dict[str, str] = {S.SUBMITTED: "proposals.intake.tasks.intake_check_proposal"}
