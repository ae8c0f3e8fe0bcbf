"""Writes on the Commerce track: gate decisions (single and bulk), hit adjudication, RFIs, assignment, clocks.

Gates and hits are tracks of the one engine (`proposals.core.engine.apply`): GATE_TRACK and HIT_TRACK
say what a move writes besides the status, and whom it tells.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from proposals.commerce.models import (
    CommerceReview,
    CommerceSettings,
    InformationRequest,
    LicenseGate,
    ScreeningHit,
)
from proposals.commerce.policy.clock import ClockMarks, review_clock
from proposals.commerce.policy.information_requests import OVERDUE, REMINDER_LEAD_DAYS, rfi_reminder_due
from proposals.commerce.workflow import GATE_TRANSITIONS, HIT_TRANSITIONS
from proposals.core import page_cache
from proposals.core.engine import Move, Track, apply, audit_record, check_input, check_move, enqueue_on_commit
from proposals.core.enums import (
    ACTIVE_STATUSES,
    DECIDED_GATE_STATUSES,
    DocumentCategory,
    GateStatus,
    GeneratedKind,
    HitStatus,
    ProposalStatus,
    ReviewClockFlag,
)
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.core.permissions import is_commerce, is_consortium_editor
from proposals.documents.services.uploads import document_store, upload_validate
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.transitions import proposal_transition
from proposals.notify.services import consortium_recipients, notify_deadline, notify_gate_decided

# --- Gates ----------------------------------------------------------------------------------------


def _require_in_review(actor: Any, proposal: Proposal, action: str) -> None:
    """A reviewer decides while the proposal is in review; the system re-evaluates at any time."""
    if actor is not None and proposal.status != ProposalStatus.IN_REVIEW:
        raise TransitionNotAllowed(
            f"Decisions are taken while the proposal is in review; it is "
            f"{ProposalStatus(proposal.status).label.lower()}.",
            extra={"status": proposal.status, "action": action},
        )


def _decisions_in_review(move: Move) -> None:
    _require_in_review(move.actor, move.proposal, move.transition.action)


def _gate_label(gate: LicenseGate) -> str:
    return f"{gate.eccn} to {gate.destination_id}"


def _gate_record(move: Move) -> None:
    gate = move.row
    gate.reason = move.reason
    gate.conditions = move.conditions if move.transition.conditions_required else ""
    if move.actor is not None:
        gate.decided_by, gate.decided_at = move.actor, move.now
    elif move.transition.target == GateStatus.OPEN:
        gate.decided_by, gate.decided_at = None, None
    move.fields += ["reason", "conditions", "decided_by", "decided_at"]
    move.data.update(
        {
            "eccn": gate.eccn,
            "destination": gate.destination_id,
            "rule": gate.rule_code,
            "policy": gate.policy_version.number,
            **({"conditions": gate.conditions} if gate.conditions else {}),
        }
    )


def _gate_decided(move: Move) -> None:
    """A reviewer's decision: the consortium and EXIM are told (outbox, same transaction) and the
    determination letter is rendered once this commits. `notify=False`: the caller tells the
    consortium itself (a bulk decision: one e-mail per proposal)."""
    gate = move.row
    if move.actor is None or gate.status not in DECIDED_GATE_STATUSES:
        return
    if move.options.get("notify", True):
        notify_gate_decided(
            proposal=move.proposal,
            gate_label=_gate_label(gate),
            decision=gate.get_status_display(),
            reason=gate.reason,
            conditions=gate.conditions,
            policy_version=f"v{gate.policy_version.number}",
        )
    enqueue_on_commit(
        "proposals.documents.tasks.document_render",
        proposal_id=move.proposal.pk,
        kind=GeneratedKind.LICENSE_LETTER,
        subject_id=gate.pk,
    )


GATE_TRACK = Track(
    name="license gate",
    model=LicenseGate,
    transitions=GATE_TRANSITIONS,
    related=("proposal", "policy_version"),
    proposal_of=lambda gate: gate.proposal,
    subject=lambda gate: gate.subject,
    state_label=lambda state: GateStatus(state).label.lower(),
    audit_action=lambda t: f"gate_{t.action}",
    guard=_decisions_in_review,
    prepare=_gate_record,
    then=_gate_decided,
)


def gate_decide(*, gate_id: int, action: str, actor: Any, reason: str, conditions: str = "") -> LicenseGate:
    """A reviewer's decision on one license gate: approve, approve with conditions, deny, return."""
    return apply(GATE_TRACK, pk=gate_id, action=action, actor=actor, reason=reason, conditions=conditions)


@dataclass(frozen=True)
class BulkRow:
    gate_id: int
    label: str
    from_state: str
    to_state: str
    ok: bool
    message: str = ""


def gates_decide_bulk(
    *, gate_ids: list[int], action: str, actor: Any, reason: str, conditions: str = "", commit: bool
) -> list[BulkRow]:
    """Preview (commit=False) or take one decision on many gates. Gates the decision cannot apply to
    are listed with the reason and left unchanged; the others change together, in one transaction."""
    transition = GATE_TRACK.get(action)
    check_input(transition, reason=reason, conditions=conditions)
    if not gate_ids:
        raise InvalidInput(
            "Choose at least one gate.", extra={"fields": {"gates": ["Choose at least one gate."]}}
        )
    rows: list[BulkRow] = []
    decided: dict[int, list[LicenseGate]] = defaultdict(list)
    with transaction.atomic():
        gates = LicenseGate.objects.select_related("proposal", "destination", "policy_version").filter(
            pk__in=gate_ids
        )
        if commit:
            gates = gates.select_for_update(of=("self",))
        for gate in gates.order_by("proposal_id", "eccn", "destination_id"):
            label = f"{gate.proposal.title}: {gate.eccn} to {gate.destination.name}"
            from_state = gate.status
            try:
                check_move(GATE_TRACK, gate, transition, actor, gate.proposal)
                _require_in_review(actor, gate.proposal, action)
            except TransitionNotAllowed as exc:
                rows.append(BulkRow(gate.pk, label, from_state, from_state, False, exc.message))
                continue
            if commit:
                apply(
                    GATE_TRACK,
                    row=gate,
                    action=action,
                    actor=actor,
                    reason=reason,
                    conditions=conditions,
                    notify=False,
                )
                if gate.status in DECIDED_GATE_STATUSES:
                    decided[gate.proposal_id].append(gate)
            rows.append(BulkRow(gate.pk, label, from_state, transition.target, True))
        for same_proposal in decided.values():  # one e-mail per proposal, naming every gate decided
            first = same_proposal[0]
            notify_gate_decided(
                proposal=first.proposal,
                gate_label=", ".join(_gate_label(gate) for gate in same_proposal),
                gate_count=len(same_proposal),
                decision=first.get_status_display(),
                reason=first.reason,
                conditions=first.conditions,
                policy_version=", ".join(
                    sorted({f"v{gate.policy_version.number}" for gate in same_proposal})
                ),
            )
    return rows


# --- Screening hits ------------------------------------------------------------------------------


def _hit_record(move: Move) -> None:
    hit = move.row
    if move.actor is not None:  # a reviewer's adjudication; the system's removal keeps it
        undecided = move.transition.target == HitStatus.UNRESOLVED
        hit.adjudication_reason = move.reason
        hit.adjudicated_by = None if undecided else move.actor
        hit.adjudicated_at = None if undecided else move.now
        move.fields += ["adjudication_reason", "adjudicated_by", "adjudicated_at"]
    move.data.update({"entry": hit.entry_key, "screened": hit.screened_name, "matched": hit.matched_name})


HIT_TRACK = Track(
    name="screening hit",
    model=ScreeningHit,
    transitions=HIT_TRANSITIONS,
    related=("proposal",),
    proposal_of=lambda hit: hit.proposal,
    subject=lambda hit: f"hit:{hit.pk}",
    state_label=lambda state: HitStatus(state).label.lower(),
    audit_action=lambda t: f"hit_{t.action}",
    guard=_decisions_in_review,
    prepare=_hit_record,
)


def hit_adjudicate(*, hit_id: int, action: str, actor: Any, reason: str) -> ScreeningHit:
    """False positive (with the reason) or confirmed match; `reopen` undoes either, with a reason."""
    return apply(HIT_TRACK, pk=hit_id, action=action, actor=actor, reason=reason)


# --- Requests for information --------------------------------------------------------------------

# Files one answer may carry (each within the upload size limit).
MAX_ANSWER_ATTACHMENTS = 10


def information_request_create(
    *, proposal_id: int, actor: Any, question: str, due_date: date
) -> InformationRequest:
    """Ask the consortium a question: the proposal returns to them (the clock stops) until they resubmit."""
    fields: dict[str, list[str]] = {}
    if not question.strip():
        fields["question"] = ["Write the question for the consortium."]
    if due_date is None or due_date <= timezone.localdate():
        fields["due_date"] = ["The due date must be in the future."]
    if fields:
        raise InvalidInput("Please correct the errors.", extra={"fields": fields})
    with transaction.atomic():
        proposal = proposal_transition(
            proposal_id=proposal_id, action="request_information", actor=actor, reason=question
        )
        rfi = InformationRequest.objects.create(
            proposal=proposal,
            question=question.strip(),
            due_date=due_date,
            asked_by=actor,
            asked_revision=proposal.revision_number,
        )
        CommerceReview.objects.get_or_create(proposal=proposal)
        audit_record(
            proposal=proposal,
            action="rfi_sent",
            actor=actor,
            reason=rfi.question,
            subject=f"rfi:{rfi.pk}",
            data={"due_date": due_date.isoformat()},
        )
    review_clock_refresh(proposal_ids=[proposal_id])
    return rfi


def information_request_answer(
    *, request_id: int, actor: Any, answer: str, attachments: Sequence[File] = ()
) -> InformationRequest:
    """The consortium's answer to an open question, with files; the request closes when they resubmit.

    Each file is validated as any other upload first: one refused file stores nothing at all.
    """
    if not answer.strip():
        raise InvalidInput("Please correct the errors.", extra={"fields": {"answer": ["Write an answer."]}})
    if len(attachments) > MAX_ANSWER_ATTACHMENTS:
        raise InvalidInput(
            "Please correct the errors.",
            extra={"fields": {"attachments": [f"Attach at most {MAX_ANSWER_ATTACHMENTS} files."]}},
        )
    validated = []
    for upload in attachments:
        try:
            validated.append(upload_validate(upload))
        except InvalidInput as exc:
            message = exc.extra.get("fields", {}).get("file", [exc.message])[0]
            raise InvalidInput(
                "Please correct the errors.",
                extra={"fields": {"attachments": [f"{upload.name}: {message}"]}},
            ) from exc
    proposal_id = InformationRequest.objects.values_list("proposal_id", flat=True).get(pk=request_id)
    with transaction.atomic():
        # The proposal first, then the request: the order resubmission takes them in.
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        rfi = InformationRequest.objects.select_for_update().get(pk=request_id)
        if not is_consortium_editor(actor, proposal):
            raise TransitionNotAllowed("Only the consortium's editors may answer its questions.")
        if not rfi.is_open or proposal.status != ProposalStatus.RETURNED:
            raise TransitionNotAllowed("This request is closed.")
        rfi.answer = answer.strip()
        rfi.save(update_fields=["answer"])
        names = [
            document_store(
                proposal=proposal,
                actor=actor,
                category=DocumentCategory.OTHER,
                validated=file,
                information_request=rfi,
            ).original_name
            for file in validated
        ]
        proposal.save(update_fields=["updated_at"])
        audit_record(
            proposal=proposal,
            action="rfi_answer_drafted",
            actor=actor,
            subject=f"rfi:{rfi.pk}",
            data={"attachments": names} if names else None,
        )
    return rfi


def information_request_reminders(*, now: datetime | None = None) -> int:
    """Beat: remind the consortium of open requests near their due date and once overdue.

    One reminder of each kind per request and due date (notify_deadline's dedupe key), so it is safe on
    every tick. Returns the messages stored.
    """
    today = timezone.localdate(now or timezone.now())
    stored = 0
    open_requests = (
        InformationRequest.objects.filter(
            answered_at__isnull=True,
            proposal__status=ProposalStatus.RETURNED,
            due_date__lte=today + timedelta(days=REMINDER_LEAD_DAYS),
        )
        .select_related("proposal__consortium")
        .order_by("pk")
    )
    for rfi in open_requests.iterator(chunk_size=500):
        kind = rfi_reminder_due(due_date=rfi.due_date, today=today, is_open=rfi.is_open)
        if not kind:
            continue
        stored += len(
            notify_deadline(
                proposal=rfi.proposal,
                what=f"Your answer to the request for information of {rfi.asked_at:%d %b %Y}",
                due_at=timezone.make_aware(datetime.combine(rfi.due_date, time.min)),
                overdue=kind == OVERDUE,
                recipients=consortium_recipients(rfi.proposal),
                key=f"rfi:{rfi.pk}",
            )
        )
    return stored


def information_requests_close_answered(*, proposal: Proposal) -> int:
    """On resubmission: questions asked on an earlier revision are answered by the current one."""
    now = timezone.now()
    closed = 0
    for rfi in InformationRequest.objects.select_for_update().filter(
        proposal=proposal, answered_at__isnull=True, asked_revision__lt=proposal.revision_number
    ):
        rfi.answered_at, rfi.answered_revision = now, proposal.revision_number
        rfi.save(update_fields=["answered_at", "answered_revision"])
        audit_record(
            proposal=proposal,
            action="rfi_answered",
            actor=None,
            subject=f"rfi:{rfi.pk}",
            data={"revision": proposal.revision_number},
        )
        closed += 1
    return closed


# --- The reviewer's track: start, assignment, clock ----------------------------------------------


def commerce_review_start(*, proposal_id: int) -> CommerceReview | None:
    """Open (or resume) Commerce's track when a proposal enters review; None if it is no longer there."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != ProposalStatus.IN_REVIEW:
            return None
        review, _ = CommerceReview.objects.get_or_create(proposal=proposal)
        information_requests_close_answered(proposal=proposal)
    review_clock_refresh(proposal_ids=[proposal_id])
    return review


def commerce_reviewers() -> Any:
    return get_user_model().objects.filter(agency="commerce", is_active=True)


def review_assign(*, proposal_id: int, reviewer_id: int, actor: Any) -> CommerceReview:
    """Assign a Commerce reviewer (a reviewer assigning themselves, or a colleague)."""
    reviewer = commerce_reviewers().filter(pk=reviewer_id).first()
    if reviewer is None:
        raise InvalidInput(
            "Choose a Commerce reviewer.",
            extra={"fields": {"reviewer": ["Not an active Commerce reviewer."]}},
        )
    if actor is not None and not is_commerce(actor):
        raise TransitionNotAllowed("Only Commerce reviewers assign Commerce reviews.")
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status not in ACTIVE_STATUSES or proposal.revision_number == 0:
            raise TransitionNotAllowed("Only proposals under review can be assigned.")
        review, _ = CommerceReview.objects.select_for_update().get_or_create(proposal=proposal)
        return _assign(proposal, review, reviewer, actor)


def _assign(proposal: Proposal, review: CommerceReview, reviewer: Any, actor: Any) -> CommerceReview:
    previous = review.reviewer.get_username() if review.reviewer_id else ""
    if review.reviewer_id == reviewer.pk:
        return review
    review.reviewer, review.assigned_at = reviewer, timezone.now()
    review.save(update_fields=["reviewer", "assigned_at"])
    audit_record(
        proposal=proposal,
        action="commerce_assigned",
        actor=actor,
        from_state=previous,
        to_state=reviewer.get_username(),
        subject="commerce_review",
    )
    return review


def review_auto_assign(*, proposal_id: int) -> CommerceReview | None:
    """Give an unassigned review to the Commerce reviewer with the fewest active reviews (ties: lowest id)."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        review, _ = CommerceReview.objects.select_for_update().get_or_create(proposal=proposal)
        if review.reviewer_id or proposal.status not in ACTIVE_STATUSES:
            return review
        # Lock the reviewers so two assignments at once cannot both pick the same least-loaded one.
        list(commerce_reviewers().select_for_update().values_list("pk", flat=True))
        reviewer = (
            commerce_reviewers()
            .annotate(
                load=Count(
                    "commerce_reviews", filter=Q(commerce_reviews__proposal__status__in=list(ACTIVE_STATUSES))
                )
            )
            .order_by("load", "pk")
            .first()
        )
        if reviewer is None:
            return review
        return _assign(proposal, review, reviewer, None)


def clock_marks() -> ClockMarks:
    s = CommerceSettings.current()
    return ClockMarks(s.referral_days, s.agency_answer_days, s.resolution_days, s.near_deadline_days)


# States whose clocks beat keeps fresh; a decided proposal's clock no longer moves.
CLOCK_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.RETURNED)


def _notify_clock(review: CommerceReview, clock: Any, marks: ClockMarks, now: datetime) -> None:
    """Email the assigned reviewer (or every Commerce reviewer) that a review clock nears or passes a mark."""
    overdue = clock.flag == ReviewClockFlag.OVERDUE
    today = timezone.localdate(now)
    due = (
        today - timedelta(days=clock.days - marks.resolution_days)
        if overdue
        else today + timedelta(days=clock.days_to_mark or 0)
    )
    notify_deadline(
        proposal=review.proposal,
        what=f"Commerce review, {'final resolution' if overdue else clock.next_mark}",
        due_at=timezone.make_aware(datetime.combine(due, time.min)),
        overdue=overdue,
        recipients=[review.reviewer] if review.reviewer_id else list(commerce_reviewers()),
        key=f"commerce_clock:{review.proposal_id}",
    )


def review_clock_refresh(
    *, proposal_ids: list[int] | None = None, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Recompute stored clocks from the audit trail; flag (audit) work that turned near-deadline or overdue.

    Returns (proposal_id, new flag) for each review whose flag changed.
    """
    now = now or timezone.now()
    marks = clock_marks()
    reviews = CommerceReview.objects.select_related("proposal", "proposal__consortium", "reviewer").filter(
        proposal__status__in=CLOCK_STATUSES
    )
    if proposal_ids is not None:
        reviews = reviews.filter(proposal_id__in=proposal_ids)
    reviews = list(reviews)
    history: dict[int, list[tuple[Any, str]]] = defaultdict(list)
    for proposal_id, at, state in (
        AuditEvent.objects.filter(proposal_id__in=[r.proposal_id for r in reviews], subject="proposal")
        .exclude(to_state="")
        .order_by("proposal_id", "created_at", "pk")
        .values_list("proposal_id", "created_at", "to_state")
    ):
        history[proposal_id].append((at, state))
    changed: list[tuple[int, str]] = []
    with transaction.atomic():
        for review in reviews:
            clock = review_clock(history=history[review.proposal_id], now=now, marks=marks)
            if clock.flag != review.clock_flag and clock.flag in (
                ReviewClockFlag.NEAR_DEADLINE,
                ReviewClockFlag.OVERDUE,
            ):
                audit_record(
                    proposal=review.proposal,
                    action="clock_flagged",
                    actor=None,
                    from_state=review.clock_flag,
                    to_state=clock.flag,
                    subject="commerce_clock",
                    data={
                        "days": clock.days,
                        "next_mark": clock.next_mark,
                        "days_to_mark": clock.days_to_mark,
                    },
                )
                _notify_clock(review, clock, marks, now)
            if clock.flag != review.clock_flag:
                changed.append((review.proposal_id, clock.flag))
            review.registered_at = clock.registered_at
            review.clock_days = clock.days
            review.clock_paused = clock.paused
            review.clock_flag = clock.flag
            review.clock_next_mark = clock.next_mark
            review.clock_days_to_mark = clock.days_to_mark
            review.clock_checked_at = now
        CommerceReview.objects.bulk_update(
            reviews,
            [
                "registered_at",
                "clock_days",
                "clock_paused",
                "clock_flag",
                "clock_next_mark",
                "clock_days_to_mark",
                "clock_checked_at",
            ],
            batch_size=500,
        )
        page_cache.bump(page_cache.COMMERCE_QUEUE)  # bulk_update sends no post_save
    return changed
