"""The evaluation track's writes: form a panel, declare conflicts, score, record the summary, determine.

The panel is a track of the one engine (`proposals.core.engine.apply`, table in
`proposals.evaluation.workflow`): PANEL_TRACK stamps the stage clock, refuses a determination without
the officer's summary, and carries out what a determination changes: a designation marks the package
priority (first in Commerce's queue and EXIM's pipeline), renders the designation letter and tells the
consortium; "not designated" ends the federal review (the proposal is declined through its own track
with the reasons) and tells the consortium; a deferral tells them too.

Scoring opens by itself (the system) once every member has declared, and closes once every member who
is not recused has submitted their sheet.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.core.engine import Move, Track, apply, audit_record, enqueue_on_commit
from proposals.core.enums import GeneratedKind, NotificationEvent, ProposalStatus
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.permissions import is_program_admin, panel_seats_forget
from proposals.evaluation.enums import OPEN_PANEL_STATUSES, PanelStatus
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.evaluation.workflow import (
    AUDIT_SUBJECT,
    DETERMINATIONS,
    EVALUATOR_AGENCIES,
    PANEL_TRANSITIONS,
)
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.services import consortium_recipients, notification_queue, proposal_url

SUBJECT = AUDIT_SUBJECT

# --- The track --------------------------------------------------------------------------------------


def _guard(move: Move) -> None:
    panel = move.row
    target = move.transition.target
    if target == PanelStatus.SCORING and not panel.members.filter(has_conflict=False).exists():
        raise TransitionNotAllowed("Scoring needs at least one member who declared no conflict.")
    if target == PanelStatus.SCORING and panel.members.filter(has_conflict__isnull=True).exists():
        raise TransitionNotAllowed("Every member must declare conflicts of interest first.")
    if (
        target == PanelStatus.DETERMINATION
        and move.from_state == PanelStatus.SCORING
        and not panel.members.filter(has_conflict=False, submitted_at__isnull=False).exists()
    ):
        raise TransitionNotAllowed("No member has submitted scores yet.")
    if move.transition.action in DETERMINATIONS:
        if move.proposal.status != ProposalStatus.IN_REVIEW:
            raise TransitionNotAllowed(
                "A determination is made while the proposal is in review; it is "
                f"{ProposalStatus(move.proposal.status).label.lower()}."
            )
        if not panel.summary.strip():
            raise InvalidInput(
                "Record the panel summary first.",
                extra={"fields": {"summary": ["Record the panel summary before the determination."]}},
            )
        if target == PanelStatus.DESIGNATED and not panel.public_summary.strip():
            raise InvalidInput(
                "Write the public summary the register will show.",
                extra={"fields": {"public_summary": ["A designated package needs a public summary."]}},
            )


def _record(move: Move) -> None:
    panel = move.row
    panel.stage_entered_at = move.now
    move.fields.append("stage_entered_at")
    if move.transition.action in DETERMINATIONS:
        panel.determination_reason = move.reason
        panel.determined_by = move.actor if getattr(move.actor, "pk", None) else None
        panel.determined_at = move.now
        panel.designated_at = move.now if move.transition.target == PanelStatus.DESIGNATED else None
        move.fields += ["determination_reason", "determined_by", "determined_at", "designated_at"]
    move.data["panel_id"] = panel.pk


def _determined(move: Move) -> None:
    """What a determination changes (same transaction; the letter renders once it commits)."""
    panel, proposal = move.row, move.proposal
    if move.transition.action not in DETERMINATIONS:
        return
    designated = panel.status == PanelStatus.DESIGNATED
    CommerceReview.objects.filter(proposal=proposal).update(priority=designated)
    Deal.objects.filter(proposal=proposal).update(priority=designated)
    notification_queue(
        event=NotificationEvent.DETERMINATION,
        recipients=consortium_recipients(proposal),
        proposal=proposal,
        context={
            "proposal_url": proposal_url(proposal),
            "consortium": proposal.consortium.name,
            "decision": PanelStatus(panel.status).label,
            "designated": designated,
            "deferred": panel.status == PanelStatus.DEFERRED,
            "reason": move.reason,
        },
    )
    if designated:
        enqueue_on_commit(
            "proposals.documents.tasks.document_render",
            proposal_id=proposal.pk,
            kind=GeneratedKind.DESIGNATION_LETTER,
            subject_id=panel.pk,
        )
    elif panel.status == PanelStatus.NOT_DESIGNATED:
        # The end of the federal review: the proposal is declined on its own track, with the reasons.
        proposal_transition(
            proposal_id=proposal.pk,
            action="decline",
            actor=move.actor,
            reason=f"Not designated a priority AI export package: {move.reason}",
        )


PANEL_TRACK = Track(
    name="evaluation panel",
    model=Panel,
    transitions=PANEL_TRANSITIONS,
    related=("proposal", "proposal__consortium"),
    proposal_of=lambda panel: panel.proposal,
    subject=lambda panel: SUBJECT,
    state_label=lambda state: PanelStatus(state).label.lower(),
    audit_action=lambda t: f"panel_{t.action}",
    follow_up_kwargs=lambda panel: {"panel_id": panel.pk},
    guard=_guard,
    prepare=_record,
    then=_determined,
)


def panel_transition(*, panel_id: int, action: str, actor: Any, reason: str = "") -> Panel:
    """Take `action` on the panel as `actor` (None: the system). Raises ApplicationError."""
    return apply(PANEL_TRACK, pk=panel_id, action=action, actor=actor, reason=reason)


def panel_determine(*, panel_id: int, decision: str, actor: Any, reason: str) -> Panel:
    """The officer's national-interest determination: designate, not_designate or defer, with reasons."""
    if decision not in DETERMINATIONS:
        raise InvalidInput(
            "Choose a determination.",
            extra={"fields": {"decision": ["Choose designate, not_designate or defer."]}},
        )
    return panel_transition(panel_id=panel_id, action=decision, actor=actor, reason=reason)


# --- Forming the panel -------------------------------------------------------------------------------


def evaluators() -> Any:
    """Active staff of the agencies that evaluate."""
    return get_user_model().objects.filter(agency__in=EVALUATOR_AGENCIES, is_active=True)


def panel_suggestion(*, exclude_ids: frozenset[int] = frozenset()) -> list[Any]:
    """One evaluator per agency: the one with the fewest open panels (ties: the lowest id).

    Load counts every seat on a panel not yet decided, except seats the evaluator was recused from.
    """
    loaded = evaluators().annotate(
        load=Count(
            "panel_seats",
            filter=Q(panel_seats__panel__status__in=list(OPEN_PANEL_STATUSES))
            & ~Q(panel_seats__has_conflict=True),
        )
    )
    chosen = []
    for agency in EVALUATOR_AGENCIES:
        user = loaded.filter(agency=agency).exclude(pk__in=exclude_ids).order_by("load", "pk").first()
        if user is not None:
            chosen.append(user)
    return chosen


def _require_officer(actor: Any) -> None:
    if not is_program_admin(actor):
        raise TransitionNotAllowed("Only the program officer forms evaluation panels.")


def panel_form(*, proposal_id: int, actor: Any, evaluator_ids: list[int] | None = None) -> Panel:
    """Form (or, while forming, re-form) the proposal's panel: the members chosen, or the suggestion.

    The panel scores against the current published rubric of the proposal's call.
    """
    _require_officer(actor)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal_id)
        if proposal.status != ProposalStatus.IN_REVIEW:
            raise TransitionNotAllowed("Panels are formed for proposals in review.")
        rubric = proposal.call.current_rubric if proposal.call_id else None
        if rubric is None:
            raise TransitionNotAllowed("The proposal's call has no published rubric to score against.")
        if evaluator_ids is None:
            chosen = panel_suggestion()
        else:
            chosen = list(evaluators().filter(pk__in=evaluator_ids))
            unknown = set(evaluator_ids) - {u.pk for u in chosen}
            if unknown:
                raise InvalidInput(
                    "Choose active evaluators.",
                    extra={
                        "fields": {
                            "evaluators": ["Not an active evaluator: " + ", ".join(map(str, sorted(unknown)))]
                        }
                    },
                )
        if not chosen:
            raise InvalidInput(
                "Choose at least one evaluator.",
                extra={"fields": {"evaluators": ["Choose at least one evaluator."]}},
            )
        panel = Panel.objects.select_for_update().filter(proposal=proposal).first()
        if panel is None:
            panel = Panel.objects.create(
                proposal=proposal, rubric=rubric, stage_entered_at=timezone.now(), formed_by=actor
            )
        elif panel.status != PanelStatus.FORMING:
            raise TransitionNotAllowed("The panel has been convened; its members are set.")
        else:
            panel.members.all().delete()
            panel.rubric = rubric
            panel.save(update_fields=["rubric", "updated_at"])
        PanelMember.objects.bulk_create(
            PanelMember(panel=panel, evaluator=user, agency=user.agency) for user in chosen
        )
        audit_record(
            proposal=proposal,
            action="panel_formed",
            actor=actor,
            to_state=panel.status,
            subject=SUBJECT,
            data={"panel_id": panel.pk, "members": [u.get_username() for u in chosen], "rubric": rubric.pk},
        )
    return panel


# --- Members: conflicts and scores -------------------------------------------------------------------


def _seat(panel_id: int, actor: Any) -> PanelMember:
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel", "panel__proposal", "panel__rubric")
        .filter(panel_id=panel_id, evaluator_id=getattr(actor, "pk", None))
        .first()
    )
    if member is None:
        raise TransitionNotAllowed("You do not sit on this panel.")
    return member


def conflict_declare(*, panel_id: int, actor: Any, has_conflict: bool, statement: str = "") -> PanelMember:
    """A member's conflict-of-interest declaration, once. A declared conflict recuses them from the
    proposal (`core.permissions.is_recused`). When every member has declared, scoring opens."""
    if has_conflict and not statement.strip():
        raise InvalidInput(
            "Describe the conflict.",
            extra={"fields": {"statement": ["Describe the conflict of interest."]}},
        )
    with transaction.atomic():
        Panel.objects.select_for_update().get(pk=panel_id)
        member = _seat(panel_id, actor)
        if member.has_conflict is not None:
            raise TransitionNotAllowed("You have already declared.")
        if member.panel.status != PanelStatus.CONFLICTS:
            raise TransitionNotAllowed("Conflicts are declared once the panel is convened, before scoring.")
        member.has_conflict = has_conflict
        member.conflict_statement = statement.strip()
        member.declared_at = timezone.now()
        member.save(update_fields=["has_conflict", "conflict_statement", "declared_at"])
        panel_seats_forget(actor)  # a recusal applies in this request too
        audit_record(
            proposal=member.panel.proposal,
            action="panel_conflict_declared" if has_conflict else "panel_no_conflict_declared",
            actor=actor,
            subject=SUBJECT,
            data={"panel_id": panel_id},
        )
        panel = member.panel
        members = panel.members.all()
        if (
            not members.filter(has_conflict__isnull=True).exists()
            and members.filter(has_conflict=False).exists()
        ):
            apply(
                PANEL_TRACK,
                row=Panel.objects.select_for_update().get(pk=panel_id),
                action="open_scoring",
                actor=None,
            )
    return member


def score_sheet_save(
    *, panel_id: int, actor: Any, scores: dict[str, dict[str, Any]], submit: bool = False
) -> PanelMember:
    """Save the member's scores ({criterion code: {"value": int, "comment": str}}); `submit` makes the
    sheet final (every criterion scored with a comment). When every member who is not recused has
    submitted, scoring closes."""
    with transaction.atomic():
        panel = Panel.objects.select_for_update().select_related("rubric").get(pk=panel_id)
        member = _seat(panel_id, actor)
        if member.has_conflict is not False:
            raise TransitionNotAllowed(
                "You are recused from this proposal." if member.has_conflict else "Declare conflicts first."
            )
        if panel.status != PanelStatus.SCORING:
            raise TransitionNotAllowed(
                f"The panel is {PanelStatus(panel.status).label.lower()}, not scoring."
            )
        if member.submitted_at is not None:
            raise TransitionNotAllowed("Your scores are submitted; they can no longer change.")
        criteria = {c.code: c for c in panel.rubric.criteria.all()}
        errors: dict[str, list[str]] = {}
        clean: dict[str, tuple[int, str]] = {}
        for code, entry in scores.items():
            criterion = criteria.get(code)
            if criterion is None:
                errors[code] = ["Not a criterion of this rubric."]
                continue
            value, comment = entry.get("value"), str(entry.get("comment") or "").strip()
            if value in (None, ""):
                if submit:
                    errors[code] = ["Score this criterion."]
                continue
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[code] = ["Give a whole number."]
                continue
            if str(number) != str(value).strip() or not criterion.scale_min <= number <= criterion.scale_max:
                errors[code] = [f"Give a whole number from {criterion.scale_min} to {criterion.scale_max}."]
                continue
            if not comment:
                errors[code] = ["Explain the score in a comment."]
                continue
            clean[code] = (number, comment)
        if submit:
            saved = set(member.scores.values_list("criterion__code", flat=True))
            for code in criteria:
                if code not in clean and code not in saved and code not in errors:
                    errors[code] = ["Score this criterion."]
        if errors:
            raise InvalidInput("Please correct the scores.", extra={"fields": errors})
        for code, (number, comment) in clean.items():
            Score.objects.update_or_create(
                member=member, criterion=criteria[code], defaults={"value": number, "comment": comment}
            )
        if submit:
            member.submitted_at = timezone.now()
            member.save(update_fields=["submitted_at"])
            audit_record(
                proposal=panel.proposal,
                action="panel_scores_submitted",
                actor=actor,
                subject=SUBJECT,
                data={"panel_id": panel_id},
            )
            pending = panel.members.filter(has_conflict=False, submitted_at__isnull=True).exists()
            if not pending:
                apply(PANEL_TRACK, row=panel, action="close_scoring", actor=None)
    return member


def panel_summary_record(*, panel_id: int, actor: Any, summary: str, public_summary: str = "") -> Panel:
    """The officer's panel summary (internal) and the public summary the register shows if designated."""
    _require_officer(actor)
    if not summary.strip():
        raise InvalidInput(
            "Write the panel summary.", extra={"fields": {"summary": ["Write the panel summary."]}}
        )
    with transaction.atomic():
        panel = Panel.objects.select_for_update().select_related("proposal").get(pk=panel_id)
        if panel.status not in (PanelStatus.DETERMINATION, PanelStatus.DEFERRED):
            raise TransitionNotAllowed("The summary is recorded once scoring has closed.")
        panel.summary, panel.public_summary = summary.strip(), public_summary.strip()
        panel.save(update_fields=["summary", "public_summary", "updated_at"])
        audit_record(
            proposal=panel.proposal,
            action="panel_summary",
            actor=actor,
            subject=SUBJECT,
            data={"panel_id": panel_id},
        )
    return panel
