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
from django.utils.module_loading import import_string

from proposals.enums import ProposalStatus
from proposals.errors import InvalidInput, SubmissionIncomplete, TransitionNotAllowed
from proposals.models import AuditEvent, CommerceReview, Proposal, Revision
from proposals.permissions import actor_roles
from proposals.policy.completeness import blocking
from proposals.services.notify import notify_proposal_event
from proposals.snapshot import proposal_snapshot
from proposals.workflow import PROPOSAL_TRANSITIONS, Transition


def enqueue_on_commit(task_name: str, *more_task_names: str, **kwargs: Any) -> None:
    """Send the task(s) named by dotted path, with the same keyword arguments, once the surrounding
    transaction has committed (one broker connection for all of them)."""
    from exportai.celery import app

    def send() -> None:
        with app.producer_or_acquire() as producer:
            for name in (task_name, *more_task_names):
                import_string(name).apply_async(kwargs=kwargs, producer=producer)

    # robust: the change is already committed when this runs, so a broker that is down must not turn
    # it into an error for the user; Django logs the failure and the sweeper re-enqueues the work.
    transaction.on_commit(send, robust=True)


def audit_record(
    *,
    proposal: Proposal,
    action: str,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    subject: str = "proposal",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction that makes the change it records."""
    return AuditEvent.objects.create(
        proposal=proposal,
        subject=subject,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        revision=proposal.revision_number,
        data=data or {},
    )


def _freeze_revision(proposal: Proposal, actor: Any) -> None:
    """Submission: refuse while blocking findings remain, then freeze the next numbered revision."""
    from proposals.selectors import proposal_findings

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
