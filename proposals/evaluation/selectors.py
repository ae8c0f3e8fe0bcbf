"""Reads of the evaluation track: panels a user may open, the blind-scoring rule, the aggregate, clocks,
the public register (whose fields are an explicit allow-list, REGISTER_FIELDS), and the program's
report on a call (two queries whatever its size: one grouped count, one pass over the audit trail)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from proposals.core.access import access
from proposals.core.enums import Layer, ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.core.permissions import is_program_admin
from proposals.evaluation.enums import DECIDED_PANEL_STATUSES, PanelStatus
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.evaluation.policy.aggregation import Aggregate, CriterionSpec, aggregate
from proposals.evaluation.policy.clock import days_in_stage
from proposals.evaluation.policy.reports import (
    OUTCOME_LABELS,
    StageEvent,
    StageFigure,
    outcome_counts,
    stage_days,
)
from proposals.evaluation.workflow import AUDIT_SUBJECT
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import ConsortiumMember
from proposals.intake.models.proposal import Proposal


def panels_visible_to(user: Any) -> QuerySet[Panel]:
    """The program officer sees every panel; an evaluator the panels they sit on and are not recused
    from (a recused member's panel is a 404 for them, like the proposal)."""
    qs = Panel.objects.select_related("proposal__consortium", "rubric__call")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_program_admin(user):
        return qs
    seats = PanelMember.objects.filter(evaluator_id=user.pk)
    return qs.filter(pk__in=seats.values("panel_id")).exclude(
        pk__in=seats.filter(has_conflict=True).values("panel_id")
    )


def access_panel(user: Any, pk: Any, *, perm: str = "proposals.view_panel") -> Panel:
    """The panel `pk` if the user may see it and holds `perm` on it (404 if not visible, 403 if not
    permitted: e.g. scoring before declaring)."""
    return access(user, panels_visible_to(user), pk, perm=perm)


def panel_list_for(user: Any) -> QuerySet[Panel]:
    return panels_visible_to(user).order_by("status", "stage_entered_at", "pk")


def proposals_awaiting_panel(user: Any, *, limit: int = 200) -> list[Proposal]:
    """Proposals in review with no panel yet, oldest first: the program officer's to form (none for
    anyone else)."""
    if not is_program_admin(user):
        return []
    return list(
        Proposal.objects.filter(status=ProposalStatus.IN_REVIEW, panel__isnull=True)
        .select_related("consortium", "call")
        .only("pk", "title", "updated_at", "consortium__name", "call__name")
        .order_by("updated_at", "pk")[:limit]
    )


def seat_of(panel: Panel, user: Any) -> PanelMember | None:
    return panel.members.filter(evaluator_id=getattr(user, "pk", None)).first()


def scores_visible_to(panel: Panel, user: Any) -> QuerySet[Score]:
    """The blind-scoring rule: a member sees their own scores, and other members' only once they
    have submitted their own (and then only submitted sheets); the program officer sees submitted
    sheets. A recused member, and anyone else, sees none."""
    scores = Score.objects.filter(member__panel=panel).select_related("member__evaluator", "criterion")
    submitted = scores.filter(member__submitted_at__isnull=False, member__has_conflict=False)
    if is_program_admin(user):
        return submitted
    seat = seat_of(panel, user)
    if seat is None or seat.has_conflict is not False:
        return scores.none()
    if seat.submitted_at is None:
        return scores.filter(member=seat)
    return submitted


def panel_aggregate(panel: Panel) -> Aggregate:
    """The panel's result over the submitted sheets of members who are not recused."""
    criteria = [
        CriterionSpec(c.code, c.title, c.weight, c.scale_min, c.scale_max)
        for c in panel.rubric.criteria.order_by("order", "pk")
    ]
    sheets: dict[int, dict[str, int]] = {}
    for member_id, code, value in Score.objects.filter(
        member__panel=panel, member__submitted_at__isnull=False, member__has_conflict=False
    ).values_list("member_id", "criterion__code", "value"):
        sheets.setdefault(member_id, {})[code] = value
    return aggregate(criteria, sheets.values())


def aggregate_visible_to(panel: Panel, user: Any) -> Aggregate | None:
    """The aggregate is shown to the officer, and to a member once they have submitted (blind rule)."""
    if is_program_admin(user):
        return panel_aggregate(panel)
    seat = seat_of(panel, user)
    if seat is not None and seat.has_conflict is False and seat.submitted_at is not None:
        return panel_aggregate(panel)
    return None


def panel_clock(panel: Panel, *, now: datetime | None = None) -> int | None:
    """Days in the current stage (None once decided: the clock stops)."""
    if panel.status in DECIDED_PANEL_STATUSES:
        return None
    return days_in_stage(entered=panel.stage_entered_at, now=now or timezone.now())


def panel_members(panel: Panel) -> list[PanelMember]:
    return list(panel.members.select_related("evaluator").order_by("agency", "pk"))


# --- The public register -------------------------------------------------------------------------

# The one allow-list of what the public register shows, and where each value comes from. Nothing else
# about a proposal, its consortium, its review or its panel is ever read into a register entry.
REGISTER_FIELDS: tuple[str, ...] = (
    "reference",
    "title",
    "consortium",
    "members",  # [{"name": legal name, "layers": [layer labels]}]
    "target_countries",  # [country names]
    "designated_on",  # ISO date
    "public_summary",
    "call",
)


@dataclass(frozen=True)
class RegisterEntry:
    reference: str
    title: str
    consortium: str
    members: list[dict[str, Any]]
    target_countries: list[str]
    designated_on: str
    public_summary: str
    call: str
    designated_at: datetime

    def public(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in REGISTER_FIELDS}


def register_panels() -> QuerySet[Panel]:
    return (
        Panel.objects.filter(status=PanelStatus.DESIGNATED, designated_at__isnull=False)
        .select_related("proposal__consortium", "rubric__call")
        .prefetch_related(
            "proposal__target_countries",
            Prefetch(
                "proposal__consortium__members",
                queryset=ConsortiumMember.objects.select_related("company").only(
                    "consortium_id", "layers", "company__legal_name"
                ),
            ),
        )
        .order_by("-designated_at", "pk")
    )


def _members(panel: Panel) -> list[dict[str, Any]]:
    rows = [
        {
            "name": member.company.legal_name,
            "layers": [Layer(value).label for value in (member.layers or []) if value in Layer.values],
        }
        for member in panel.proposal.consortium.members.all()
    ]
    return sorted(rows, key=lambda row: row["name"])


def register_entries() -> Iterator[RegisterEntry]:
    """Designated packages, newest designation first, with their public fields only."""
    for panel in register_panels():
        proposal = panel.proposal
        yield RegisterEntry(
            reference=f"ExportAI-{proposal.pk}",
            title=proposal.title,
            consortium=proposal.consortium.name,
            members=_members(panel),
            target_countries=sorted(c.name for c in proposal.target_countries.all()),
            designated_on=timezone.localdate(panel.designated_at).isoformat(),
            public_summary=panel.public_summary,
            call=panel.rubric.call.name,
            designated_at=panel.designated_at,
        )


# --- Program reports on a call ---------------------------------------------------------------------


# The audit subjects whose state changes are the report's stages: the proposal's own track and its panel.
STAGE_SUBJECTS = ("proposal", AUDIT_SUBJECT)


@dataclass(frozen=True)
class OutcomeFigure:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class CallReport:
    """One call's figures for program staff (proposals.evaluation.policy.reports has the rules)."""

    call: Call
    as_of: datetime
    drafts: int  # started, never submitted: not received
    received: int
    outcomes: list[OutcomeFigure]
    stages: list[StageFigure]


def access_call_report(user: Any, pk: Any) -> Call:
    """The call `pk` for its report: program staff only (403), an unknown call a 404."""
    return access(user, Call.objects.all(), pk, perm="proposals.view_call_reports")


def _outcome_rows(call: Call) -> list[tuple[bool, str, str | None, int]]:
    """One grouped query: how many of the call's proposals are in each (submitted, status, panel status)."""
    rows = (
        Proposal.objects.filter(call=call)
        .annotate(submitted=ExpressionWrapper(Q(revision_number__gt=0), output_field=BooleanField()))
        .values_list("submitted", "status", "panel__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return list(rows)


def _stage_events(call: Call) -> Iterator[StageEvent]:
    """One query: the state changes of the call's proposals and their panels, in time order per proposal
    (the audit trail's own record of when each stage began and ended)."""
    rows = (
        AuditEvent.objects.filter(proposal__call=call, subject__in=STAGE_SUBJECTS)
        .exclude(to_state="")
        .order_by("proposal_id", "created_at", "pk")
        .values_list("proposal_id", "created_at", "subject", "from_state", "to_state")
    )
    for proposal_id, at, subject, from_state, to_state in rows.iterator(chunk_size=2000):
        yield StageEvent(proposal_id, at, subject, from_state, to_state)


def call_report(call: Call, *, now: datetime | None = None) -> CallReport:
    """The call's report in two queries, whatever the number of proposals: outcomes, days per stage."""
    rows = _outcome_rows(call)
    received, counts = outcome_counts(rows)
    return CallReport(
        call=call,
        as_of=now or timezone.now(),
        drafts=sum(n for submitted, _, _, n in rows if not submitted),
        received=received,
        outcomes=[OutcomeFigure(key, OUTCOME_LABELS[key], count) for key, count in counts.items()],
        stages=stage_days(_stage_events(call)),
    )
