"""The EXIM track's writes: open a deal, compute its terms, move its stage, change its target dates.

The deal is a track of the one engine (`proposals.core.engine.apply`, table in
`proposals.exim.workflow`): DEAL_TRACK adds the approval route, the final-commitment checks (terms,
Commerce's clearance, the exposure ceiling), the notification period, the consortium's e-mail, the
commitment letter, and the proposal's own action in the same transaction.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from proposals.commerce.selectors import commerce_clearance
from proposals.core.engine import Move, Track, apply, audit_record, enqueue_on_commit
from proposals.core.enums import (
    DEAL_END_STAGES,
    DEAL_PIPELINE_STAGES,
    DealStage,
    GeneratedKind,
    ProposalStatus,
)
from proposals.core.errors import ApplicationError, CommitmentRefused, InvalidInput, TransitionNotAllowed
from proposals.core.models.reference import Country, ProgramSettings
from proposals.core.permissions import actor_roles
from proposals.core.workflow import Actor, Transition
from proposals.exim.models import TARGET_DATE_FIELDS, Deal
from proposals.exim.policy import exposure
from proposals.exim.policy import financing as fin
from proposals.exim.selectors import stage_benchmarks, stage_clock
from proposals.exim.workflow import DEAL_TRANSITIONS, PRE_COMMITMENT
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.policy.snapshot import Snapshot, dec
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.workflow import PROPOSAL_TRANSITIONS
from proposals.notify.services import notify_deadline, notify_deal_stage_changed

log = logging.getLogger(__name__)

SUBJECT = "deal"


def _request_from(snapshot: Snapshot) -> dict[str, Any]:
    f = snapshot["financing"]
    targets = snapshot["target_countries"]
    return {
        "amount": dec(f["amount"]),
        "product": f["product"] or "",
        "tenor_years": dec(f["tenor_years"]) if f["tenor_years"] else None,
        "destination_id": targets[0] if targets else None,
    }


def deal_open(*, proposal_id: int) -> Deal | None:
    """Open the proposal's deal when it is in review (idempotent); refresh the request on resubmission.

    Returns the deal, or None when the proposal is gone or no longer in review.
    """
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or proposal.status != ProposalStatus.IN_REVIEW:
            return None
        revision = Revision.objects.get(proposal=proposal, number=proposal.revision_number)
        request = _request_from(revision.snapshot)
        deal = Deal.objects.select_for_update().filter(proposal=proposal).first()
        if deal is None:
            deal = Deal.objects.create(proposal=proposal, stage=DealStage.APPLICATION_RECEIVED, **request)
            audit_record(
                proposal=proposal,
                subject=SUBJECT,
                action="open",
                actor=None,
                to_state=deal.stage,
                reason=f"The proposal entered review (revision {proposal.revision_number}).",
                data={"deal_id": deal.pk, "amount": str(deal.amount)},
            )
        elif deal.stage in PRE_COMMITMENT and deal.terms_revision != proposal.revision_number:
            before = {name: str(getattr(deal, name)) for name in request}
            for name, value in request.items():
                setattr(deal, name, value)
            after = {name: str(getattr(deal, name)) for name in request}
            if before != after:
                deal.save(update_fields=[*request, "updated_at"])
                audit_record(
                    proposal=proposal,
                    subject=SUBJECT,
                    action="request_updated",
                    actor=None,
                    from_state=deal.stage,
                    to_state=deal.stage,
                    reason=f"The proposal was resubmitted as revision {proposal.revision_number}.",
                    data={"deal_id": deal.pk, "before": before, "after": after},
                )
        enqueue_on_commit("proposals.exim.tasks.exim_compute_terms", deal_id=deal.pk)
    return deal


def _destinations(codes: list[str]) -> list[fin.Destination]:
    rows = Country.objects.filter(code__in=codes).order_by("code")
    return [
        fin.Destination(
            code=c.code,
            name=c.name,
            oecd_category=c.oecd_category,
            risk_class=c.risk_class,
            cover_medium_term=c.exim_cover_medium_term,
            cover_long_term=c.exim_cover_long_term,
        )
        for c in rows
    ]


def terms_for_snapshot(snapshot: Snapshot, *, rules: fin.FinancingRules) -> fin.Terms:
    """The terms of a frozen proposal revision."""
    f = snapshot["financing"]
    return fin.compute_terms(
        lines=(
            (dec(i["unit_value"]) * i["quantity"], dec(i["us_origin_value"])) for i in snapshot["line_items"]
        ),
        local_costs=dec(f["local_costs"]),
        amount_requested=dec(f["amount"]),
        product=f["product"] or "",
        tenor_years=dec(f["tenor_years"]),
        destinations=_destinations(snapshot["target_countries"]),
        rules=rules,
        document_categories=frozenset(d["category"] for d in snapshot["documents"]),
    )


def deal_compute_terms(*, deal_id: int) -> Deal | None:
    """Compute and store the deal's terms from the proposal's latest frozen revision (idempotent)."""
    with transaction.atomic():
        deal = Deal.objects.select_for_update().select_related("proposal").filter(pk=deal_id).first()
        if deal is None:
            return None
        number = deal.proposal.revision_number
        snapshot = Revision.objects.get(proposal_id=deal.proposal_id, number=number).snapshot
        terms = terms_for_snapshot(snapshot, rules=fin.FinancingRules.from_program(ProgramSettings.current()))
        deal.terms = terms.as_json()
        deal.terms_revision = number
        deal.terms_computed_at = timezone.now()
        deal.save(update_fields=["terms", "terms_revision", "terms_computed_at", "updated_at"])
        enqueue_on_commit(
            "proposals.documents.tasks.document_render",
            proposal_id=deal.proposal_id,
            kind=GeneratedKind.TERM_SHEET,
            subject_id=deal.pk,
        )
    return deal


# --- The gate rule: final commitment reads Commerce clearance (commerce.selectors.commerce_clearance) ---


def committed_exposure(*, exclude_deal_id: int | None = None) -> Decimal:
    """The sum of this program's authorized deals, which count against EXIM's ceiling."""
    deals = Deal.objects.all() if exclude_deal_id is None else Deal.objects.exclude(pk=exclude_deal_id)
    return deals.committed_exposure()


def final_commitment_blockers(
    deal: Deal, *, program: ProgramSettings, now: datetime | None = None
) -> list[str]:
    """Every reason the deal cannot be authorized now; empty when it can. Read-only (the page shows it)."""
    commerce = commerce_clearance(proposal_id=deal.proposal_id).reasons
    return deal_own_blockers(deal, program=program, now=now) + [f"Commerce: {why}" for why in commerce]


def deal_own_blockers(deal: Deal, *, program: ProgramSettings, now: datetime | None = None) -> list[str]:
    """The reasons final commitment waits on EXIM's side (route, notification period, terms, proposal,
    ceiling); Commerce's clearance is the rest of `final_commitment_blockers`."""
    now = now or timezone.now()
    rules = fin.FinancingRules.from_program(program)
    reasons: list[str] = []
    route_next = fin.next_approval_stage(stage=deal.stage, amount=deal.amount, rules=rules)
    if deal.stage not in DEAL_TRANSITIONS["authorize"].sources:
        reasons.append(f"The deal is at {DealStage(deal.stage).label.lower()}, not at an approval stage.")
    elif route_next != DealStage.FINAL_COMMITMENT:
        reasons.append(
            f"{fin.usd(deal.amount)} must go to {DealStage(route_next).label.lower()} first."
            if route_next
            else "The approval route does not lead to final commitment from here."
        )
    if deal.stage == DealStage.CONGRESSIONAL_NOTIFICATION and (
        deal.notification_ends_at is None or deal.notification_ends_at > now
    ):
        ends = (
            timezone.localtime(deal.notification_ends_at).date() if deal.notification_ends_at else "unknown"
        )
        reasons.append(f"The congressional notification period runs until {ends}.")
    if not deal.terms:
        reasons.append("The terms have not been computed yet.")
    for finding in deal.terms.get("findings", []) if deal.terms else []:
        if finding["status"] == fin.Status.BLOCKING:
            reasons.append(f"Terms: {finding['message']}")
    if deal.proposal.status != ProposalStatus.IN_REVIEW:
        reasons.append(
            f"The proposal is {ProposalStatus(deal.proposal.status).label.lower()}, not in review."
        )
    if refusal := exposure.ceiling_refusal(
        amount=deal.amount,
        committed=committed_exposure(exclude_deal_id=deal.pk),
        rules=exposure.CeilingRules.from_program(program),
    ):
        reasons.append(refusal)
    return reasons


def _check_route(deal: Deal, transition: Transition, rules: fin.FinancingRules) -> None:
    route_next = fin.next_approval_stage(stage=deal.stage, amount=deal.amount, rules=rules)
    if route_next != transition.target:
        raise TransitionNotAllowed(
            f"{fin.usd(deal.amount)} does not go to {DealStage(transition.target).label.lower()} from "
            f"{DealStage(deal.stage).label.lower()}: "
            + (
                f"next is {DealStage(route_next).label.lower()}." if route_next else "no approval is pending."
            ),
            extra={"stage": deal.stage, "action": transition.action, "next": route_next or ""},
        )


def allowed_transitions(deal: Deal, actor: Any, *, program: ProgramSettings) -> list[Transition]:
    """The moves the actor could take from the deal's stage (the final checks may still refuse)."""
    rules = fin.FinancingRules.from_program(program)
    roles = actor_roles(actor, deal.proposal)
    route_next = fin.next_approval_stage(stage=deal.stage, amount=deal.amount, rules=rules)
    return [
        t
        for t in DEAL_TRANSITIONS.values()
        if deal.stage in t.sources and roles & t.actors and (not t.routed or t.target == route_next)
    ]


@dataclass(frozen=True)
class MoveOption:
    """A move the deal page offers, and why it cannot succeed now (empty: it can)."""

    transition: Transition
    blockers: tuple[str, ...] = ()
    # Commerce has not cleared the proposal (its reasons are on the page once, under Commerce's gate).
    waits_on_commerce: bool = False

    @property
    def possible(self) -> bool:
        return not self.blockers and not self.waits_on_commerce


def deal_move_options(
    deal: Deal, actor: Any, *, program: ProgramSettings, cleared: bool | None = None
) -> list[MoveOption]:
    """The moves the actor may take from the deal's stage, each with what stops it now: final
    commitment names every blocker the guard would refuse with; the other moves have none.
    `cleared`: Commerce's clearance when the caller has read it already."""
    options = []
    for t in allowed_transitions(deal, actor, program=program):
        if t.target == DealStage.FINAL_COMMITMENT:
            if cleared is None:
                cleared = commerce_clearance(proposal_id=deal.proposal_id).cleared
            blockers = tuple(deal_own_blockers(deal, program=program))
            options.append(MoveOption(t, blockers, waits_on_commerce=not cleared))
        else:
            options.append(MoveOption(t))
    return options


def _deal_guard(move: Move) -> None:
    """Final commitment: every check of `final_commitment_blockers` (the settings row locked, so two
    commitments queue behind each other and cannot both fit under the ceiling when only one does);
    the other approval moves: the route the amount decides."""
    deal = move.row
    if move.transition.target == DealStage.FINAL_COMMITMENT:
        program = ProgramSettings.objects.select_for_update().get(pk=ProgramSettings.current().pk)
        reasons = final_commitment_blockers(deal, program=program, now=move.now)
        if reasons:
            raise CommitmentRefused(
                "Final commitment refused: " + " ".join(reasons), extra={"reasons": reasons}
            )
    else:
        program = ProgramSettings.current()
        if move.transition.routed:
            _check_route(deal, move.transition, fin.FinancingRules.from_program(program))
    move.options["program"] = program


def _deal_record(move: Move) -> None:
    deal = move.row
    deal.stage_entered_at = move.now
    move.fields.append("stage_entered_at")
    move.data.update({"deal_id": deal.pk, "amount": str(deal.amount)})
    if move.transition.target == DealStage.CONGRESSIONAL_NOTIFICATION:
        days = move.options["program"].congressional_notification_days
        deal.notification_ends_at = move.now + timedelta(days=days)
        move.fields.append("notification_ends_at")
        move.data["notification_ends_at"] = deal.notification_ends_at.isoformat()


def _deal_moved(move: Move) -> None:
    """The consortium hears of every stage change (outbox, this transaction); a final commitment also
    gets its letter, rendered once this commits; the proposal's own action follows in the same
    transaction, taken by the system (the deal's audit event names the officer)."""
    deal = move.row
    notify_deal_stage_changed(
        proposal=move.proposal,
        deal_label=f"Deal {deal.pk}",
        from_stage=DealStage(move.from_state).label,
        to_stage=DealStage(deal.stage).label,
        reason=move.reason,
    )
    if deal.stage == DealStage.FINAL_COMMITMENT:
        enqueue_on_commit(
            "proposals.documents.tasks.document_render",
            proposal_id=deal.proposal_id,
            kind=GeneratedKind.COMMITMENT_LETTER,
            subject_id=deal.pk,
        )
    follow = PROPOSAL_TRANSITIONS.get(move.transition.proposal_action)
    if follow is not None and move.proposal.status in follow.sources:
        by = f" by {move.actor}" if getattr(move.actor, "pk", None) else ""
        proposal_transition(
            proposal_id=deal.proposal_id,
            action=follow.action,
            actor=None if Actor.SYSTEM in follow.actors else move.actor,
            reason=f"EXIM {move.transition.label.lower()}{by}: {move.reason}",
        )


DEAL_TRACK = Track(
    name="deal",
    model=Deal,
    transitions=DEAL_TRANSITIONS,
    state_field="stage",
    related=("proposal",),
    proposal_of=lambda deal: deal.proposal,
    subject=lambda deal: SUBJECT,
    state_label=lambda stage: f"at {DealStage(stage).label.lower()}",
    follow_up_kwargs=lambda deal: {"deal_id": deal.pk},
    guard=_deal_guard,
    prepare=_deal_record,
    then=_deal_moved,
)


def deal_transition(
    *, deal_id: int, action: str, actor: Any, reason: str, now: datetime | None = None
) -> Deal:
    """Take `action` on the deal as `actor` (None: the system), with `reason`. Raises ApplicationError."""
    return apply(DEAL_TRACK, pk=deal_id, action=action, actor=actor, reason=reason, now=now)


def deal_set_target_date(*, deal_id: int, field: str, value: date | None, actor: Any, reason: str) -> Deal:
    """Change one of the deal's target dates, recording the reason (the inspector general asks for it)."""
    errors: dict[str, list[str]] = {}
    if field not in TARGET_DATE_FIELDS:
        errors["field"] = [f"Choose one of: {', '.join(TARGET_DATE_FIELDS)}."]
    if not reason.strip():
        errors["reason"] = ["A reason is required."]
    if errors:
        raise InvalidInput("Please correct the errors.", extra={"fields": errors})
    with transaction.atomic():
        deal = Deal.objects.select_for_update().select_related("proposal").get(pk=deal_id)
        if Actor.EXIM not in actor_roles(actor, deal.proposal):
            raise TransitionNotAllowed("Only an EXIM officer may change a deal's target dates.")
        before = getattr(deal, field)
        if before == value:
            return deal
        setattr(deal, field, value)
        deal.save(update_fields=[field, "updated_at"])
        audit_record(
            proposal=deal.proposal,
            subject=SUBJECT,
            action="target_date_changed",
            actor=actor,
            from_state=deal.stage,
            to_state=deal.stage,
            reason=reason.strip(),
            data={
                "deal_id": deal.pk,
                "field": field,
                "label": TARGET_DATE_FIELDS[field],
                "before": before.isoformat() if before else None,
                "after": value.isoformat() if value else None,
            },
        )
    return deal


# The deal follows a proposal that ends elsewhere (withdrawn by the consortium, declined by Commerce).
FOLLOW_PROPOSAL = {ProposalStatus.WITHDRAWN: "withdraw", ProposalStatus.DECLINED: "decline"}


def deal_follow_proposal(*, proposal_id: int) -> Deal | None:
    """Close a pending deal whose proposal was withdrawn or declined (idempotent). Returns the deal moved."""
    deal = Deal.objects.select_related("proposal").filter(proposal_id=proposal_id).first()
    if deal is None or deal.stage not in PRE_COMMITMENT:
        return None
    action = FOLLOW_PROPOSAL.get(deal.proposal.status)
    if action is None:
        return None
    last = deal.proposal.audit_events.filter(subject="proposal").order_by("-pk").first()
    why = f": {last.reason}" if last and last.reason else "."
    return deal_transition(
        deal_id=deal.pk,
        action=action,
        actor=None,
        reason=f"The proposal was {ProposalStatus(deal.proposal.status).label.lower()}{why}",
    )


def deal_notification_sweep(*, now: datetime | None = None) -> list[int]:
    """Beat: authorize deals whose congressional notification period has run. Returns the deals moved.

    A deal still held by another check (the gate rule, the ceiling) stays and is tried on the next run.
    """
    now = now or timezone.now()
    program = ProgramSettings.current()
    due = Deal.objects.filter(
        stage=DealStage.CONGRESSIONAL_NOTIFICATION, notification_ends_at__lte=now
    ).values_list("pk", "notification_ends_at")
    moved = []
    for deal_id, ends_at in due:
        try:
            deal_transition(
                deal_id=deal_id,
                action="authorize",
                actor=None,
                reason=f"The {program.congressional_notification_days}-day congressional notification period "
                f"ended on {timezone.localtime(ends_at).date()}.",
                now=now,
            )
        except ApplicationError as exc:
            log.warning("deal %s: notification period over but not authorized: %s", deal_id, exc.message)
            continue
        moved.append(deal_id)
    return moved


# Until when each target date matters: final commitment before authorization; closing until closed.
TARGET_DATE_STAGES = {
    "target_final_commitment_on": DEAL_PIPELINE_STAGES,
    "target_closing_on": DEAL_PIPELINE_STAGES | {DealStage.FINAL_COMMITMENT, DealStage.DOCUMENTATION_CLOSING},
}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def deal_deadline_reminders(*, now: datetime | None = None) -> int:
    """Beat: remind EXIM officers of what is due on open deals. Returns the messages stored.

    - a target date (final commitment, closing) within EXPORTAI_EXIM_REMINDER_DAYS, or passed, while it
      still matters (TARGET_DATE_STAGES);
    - time in stage past the stage's benchmark (ProgramSettings.deal_stage_benchmark_days).
    Each once per deal, deadline and due date (notify_deadline's dedupe key): safe on every tick, and a
    moved target date is reminded again.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=settings.EXPORTAI_EXIM_REMINDER_DAYS)
    officers = list(get_user_model().objects.filter(agency="exim", is_active=True))
    benchmarks = stage_benchmarks()
    shortest = min((days for stages in benchmarks.values() for days in stages.values()), default=None)
    if not officers:
        return 0
    due_soon = Q(target_final_commitment_on__lte=horizon) | Q(target_closing_on__lte=horizon)
    if shortest is not None:
        due_soon |= Q(stage_entered_at__lte=now - timedelta(days=shortest))
    deals = (
        Deal.objects.exclude(stage__in=DEAL_END_STAGES)
        .filter(due_soon)
        .select_related("proposal__consortium")
        .order_by("pk")
    )
    stored = 0
    for deal in deals.iterator(chunk_size=500):
        for field, stages in TARGET_DATE_STAGES.items():
            day = getattr(deal, field)
            if day is None or day > horizon or deal.stage not in stages:
                continue
            stored += len(
                notify_deadline(
                    proposal=deal.proposal,
                    what=f"EXIM deal {deal.pk}: {TARGET_DATE_FIELDS[field].lower()}",
                    due_at=_start_of(day),
                    overdue=day < today,
                    recipients=officers,
                    key=f"deal:{deal.pk}:{field}",
                )
            )
        clock = stage_clock(deal, benchmarks, now=now)
        if clock.over and clock.benchmark is not None:
            stored += len(
                notify_deadline(
                    proposal=deal.proposal,
                    what=f"EXIM deal {deal.pk}: {DealStage(deal.stage).label.lower()} "
                    f"(benchmark {clock.benchmark} days in stage)",
                    due_at=deal.stage_entered_at + timedelta(days=clock.benchmark),
                    overdue=True,
                    recipients=officers,
                    key=f"deal:{deal.pk}:stage:{deal.stage}",
                )
            )
    return stored
