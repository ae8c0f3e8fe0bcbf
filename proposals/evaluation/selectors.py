"""Reads of the evaluation track: panels a user may open, the blind-scoring rule, the aggregate, clocks,
and the public register (whose fields are an explicit allow-list, REGISTER_FIELDS)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from proposals.core.access import access
from proposals.core.enums import Layer
from proposals.core.permissions import is_program_admin
from proposals.evaluation.enums import DECIDED_PANEL_STATUSES, PanelStatus
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.evaluation.policy.aggregation import Aggregate, CriterionSpec, aggregate
from proposals.evaluation.policy.clock import days_in_stage
from proposals.intake.models.consortium import ConsortiumMember


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
