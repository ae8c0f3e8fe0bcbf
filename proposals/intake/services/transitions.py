"""The one write path for a proposal's state.

`proposal_transition` locks the row, checks the transition table for the state and the actor's
role, runs the action's preparation (such as freezing a revision), writes the state, appends an
audit event, stores the transition's email notifications in the outbox, and enqueues the follow-up
tasks once the transaction commits. Nothing else assigns
`Proposal.status`.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.core.engine import audit_record, enqueue_on_commit
from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput, SubmissionIncomplete, TransitionNotAllowed
from proposals.core.permissions import actor_roles
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.policy.completeness import blocking
from proposals.intake.selectors import proposal_snapshot
from proposals.intake.workflow import PROPOSAL_TRANSITIONS, Transition
from proposals.notify.services import notify_proposal_event


def _freeze_revision(proposal: Proposal, actor: Any) -> None:
    """Submission: refuse while blocking findings remain, then freeze the next numbered revision."""
    from proposals.intake.selectors import proposal_findings

    snapshot = proposal_snapshot(proposal)
    problems = blocking(proposal_findings(proposal, snapshot=snapshot))
    if problems:
        raise SubmissionIncomplete(
            f"The proposal cannot be submitted: {len(problems)} item(s) on the checklist "
            "must be fixed first.",
            extra={"findings": [f.as_dict() for f in problems]},
        )
    proposal.revision_number += 1
    Revision.objects.create(
        proposal=proposal,
        number=proposal.revision_number,
        snapshot=snapshot,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # Commerce's track starts at first submission (so does its review clock): every submitted
    # proposal has its review row, which the Commerce queue's index-served sort relies on.
    CommerceReview.objects.get_or_create(proposal=proposal)


# Work an action does under the row lock before its state is written.
PREPARE: dict[str, Callable[[Proposal, Any], None]] = {"submit": _freeze_revision}


def check_transition(proposal: Proposal, transition: Transition, actor: Any) -> None:
    """Raise TransitionNotAllowed unless the proposal's state and the actor's role permit it."""
    if proposal.status not in transition.sources:
        raise TransitionNotAllowed(
            f'"{transition.label or transition.action}" is not possible while the proposal is '
            f"{ProposalStatus(proposal.status).label.lower()}.",
            extra={"status": proposal.status, "action": transition.action},
        )
    if not actor_roles(actor, proposal) & transition.actors:
        raise TransitionNotAllowed(
            f"Your role may not {transition.label.lower() or transition.action} this proposal.",
            extra={"status": proposal.status, "action": transition.action},
        )


def proposal_transition(
    *, proposal_id: int, action: str, actor: Any, reason: str = "", data: dict[str, Any] | None = None
) -> Proposal:
    """Take `action` on the proposal as `actor` (None for the system). Raises ApplicationError.

    `data` is kept on the audit event (for example intake's findings).
    """
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        return proposal_transition_locked(
            proposal=proposal, action=action, actor=actor, reason=reason, data=data
        )


def proposal_transition_locked(
    *, proposal: Proposal, action: str, actor: Any, reason: str = "", data: dict[str, Any] | None = None
) -> Proposal:
    """The transition itself, for a caller that already holds the row lock inside its own atomic block
    (automated intake reads the revision and locks the row in one query)."""
    transition = PROPOSAL_TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(f"Unknown action {action!r}.")
    if transition.reason_required and not reason.strip():
        raise InvalidInput("Give a reason.", extra={"fields": {"reason": ["A reason is required."]}})
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("proposal_transition_locked needs the caller's transaction and row lock")
    check_transition(proposal, transition, actor)
    if prepare := PREPARE.get(action):
        prepare(proposal, actor)
    from_state = proposal.status
    proposal.status = transition.target
    proposal.status_changed_at = timezone.now()
    proposal.save(update_fields=["status", "status_changed_at", "revision_number", "updated_at"])
    audit_record(
        proposal=proposal,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=transition.target,
        reason=reason.strip(),
        data=data,
    )
    if transition.notify:  # stored now, in this transaction; sent by the notify worker
        notify_proposal_event(event=transition.notify, proposal=proposal, actor=actor, reason=reason.strip())
    if transition.then:
        enqueue_on_commit(*transition.then, proposal_id=proposal.pk)
    return proposal
