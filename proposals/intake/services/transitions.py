"""The proposal track: the proposal's moves (submit, intake, requests, decisions, withdrawal) through
the one engine (`proposals.core.engine.apply`) and the workflow table in `proposals.intake.workflow`.

What a proposal's move does besides its state: submission freezes the next numbered revision (refused
while the checklist has blocking findings), every move stamps `status_changed_at`, and a move that
names an e-mail event stores it in notify's outbox in the same transaction.
"""

from typing import Any

from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.core.engine import Move, Track, apply
from proposals.core.enums import ProposalStatus
from proposals.core.errors import SubmissionIncomplete
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.policy.completeness import blocking
from proposals.intake.selectors import proposal_findings, proposal_snapshot
from proposals.intake.services.drafting import call_window_check
from proposals.intake.workflow import PROPOSAL_TRANSITIONS
from proposals.notify.services import notify_proposal_event


def _freeze_revision(proposal: Proposal, actor: Any) -> None:
    """Submission: refuse while blocking findings remain, then freeze the next numbered revision."""
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


def _prepare(move: Move) -> None:
    if move.transition.action == "submit":
        if move.row.revision_number == 0:
            # The first submission is within the call's window; a returned proposal answering its
            # reviewers' requests was received in time and may come back after the call closed.
            call_window_check(move.row.call, today=timezone.localdate(move.now))
        _freeze_revision(move.row, move.actor)
        move.fields.append("revision_number")
    move.row.status_changed_at = move.now
    move.fields.append("status_changed_at")


def _notify(move: Move) -> None:
    if move.transition.notify:  # stored now, in this transaction; sent by the notify worker
        notify_proposal_event(
            event=move.transition.notify, proposal=move.row, actor=move.actor, reason=move.reason
        )


PROPOSAL_TRACK = Track(
    name="proposal",
    model=Proposal,
    transitions=PROPOSAL_TRANSITIONS,
    proposal_of=lambda proposal: proposal,
    subject=lambda proposal: "proposal",
    state_label=lambda state: ProposalStatus(state).label.lower(),
    follow_up_kwargs=lambda proposal: {"proposal_id": proposal.pk},
    prepare=_prepare,
    then=_notify,
)


def proposal_transition(
    *, proposal_id: int, action: str, actor: Any, reason: str = "", data: dict[str, Any] | None = None
) -> Proposal:
    """Take `action` on the proposal as `actor` (None for the system). Raises ApplicationError.

    `data` is kept on the audit event (for example intake's findings).
    """
    return apply(PROPOSAL_TRACK, pk=proposal_id, action=action, actor=actor, reason=reason, data=data)


def proposal_transition_locked(
    *, proposal: Proposal, action: str, actor: Any, reason: str = "", data: dict[str, Any] | None = None
) -> Proposal:
    """The same move, for a caller that already holds the row lock inside its own atomic block
    (automated intake reads the revision and locks the row in one query)."""
    return apply(PROPOSAL_TRACK, row=proposal, action=action, actor=actor, reason=reason, data=data)
