"""Reads for notify: a user's inbox and its unread count, a proposal's shared thread, and its internal
notes for agency staff only."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from proposals.commerce.models import LicenseGate, ScreeningHit
from proposals.core.counts import count_per_proposal
from proposals.core.enums import DEAL_END_STAGES, GateStatus, HitStatus, ProposalStatus
from proposals.core.models.reference import ProgramSettings
from proposals.core.permissions import (
    is_agency_reviewer,
    is_commerce,
    is_evaluator,
    is_exim,
    sits_on_any_panel,
    without_recused,
)
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import PanelMember
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.notify.models import InboxItem, Message, MessageAttachment


def may_read_internal_notes(user: Any) -> bool:
    """Internal notes are agency staff's alone: never a consortium user, whatever else they hold."""
    return is_agency_reviewer(user)


def access_thread(user: Any, pk: Any, *, internal: bool) -> Proposal:
    """The proposal whose thread (or internal notes) the user asks for: a 404 for a proposal the user
    may not see, and for internal notes unless the user is agency staff (their existence is not a
    consortium's business)."""
    proposal = access_proposal(user, pk)
    if internal and not may_read_internal_notes(user):
        raise Http404
    return proposal


def messages_of(*, proposal: Proposal, internal: bool) -> QuerySet[Message]:
    """The thread (or the notes), oldest first, with authors, mentions and files (3 queries)."""
    return (
        Message.objects.filter(proposal=proposal, internal=internal)
        .select_related("author")
        .prefetch_related("attachments", "mentioned")
        .order_by("created_at", "pk")
    )


def access_message_attachment(user: Any, pk: Any, attachment_pk: Any) -> MessageAttachment:
    """A message's file, for whoever may read that message (the same 404s as the thread)."""
    attachment = (
        MessageAttachment.objects.select_related("message")
        .filter(pk=attachment_pk, message__proposal_id=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    access_thread(user, pk, internal=attachment.message.internal)
    return attachment


# --- The inbox ------------------------------------------------------------------------------------

# The header shows the count on every signed-in page: cached per user, so a page pays no query for it
# (services.inbox_count_forget drops the entry whenever the user's items change; sign-in fills it).
UNREAD_COUNT_SECONDS = 24 * 3600


def inbox_count_key(user: Any) -> str:
    """The cache key of a user's unread count. The account's creation time is part of it, so a reused
    id (a test database made afresh, a restored backup) never reads another account's count."""
    joined = getattr(user, "date_joined", None)
    return f"inbox-unread:{user.pk}:{int(joined.timestamp()) if joined else 0}"


def inbox_unread_count(user: Any) -> int:
    """How many of the user's inbox items are unread: from the cache, else one COUNT on the partial
    index `inbox_unread` (then cached)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = inbox_count_key(user)
    count = cache.get(key)
    if count is None:
        count = InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, timeout=UNREAD_COUNT_SECONDS)
    return count


def inbox_items_for(user: Any, *, unread: bool | None = None) -> QuerySet[InboxItem]:
    """The user's own inbox, newest first (`unread`: True for unread only, False for read only)."""
    items = InboxItem.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")
    if unread is not None:
        items = items.filter(read_at__isnull=unread)
    return items


def access_inbox_item(user: Any, pk: Any) -> InboxItem:
    """One of the user's own items; anyone else's is a 404 (an id reveals nothing)."""
    item = inbox_items_for(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


# --- "Action required": what waits on the user who asks, on their home page ------------------------
# Each selector is scoped to who asks and bounded: ACTION_ROWS rows, and when there are that many a
# COUNT that stops at ACTION_COUNTED + 1, whatever the program's size: past ACTION_COUNTED the page
# says "90+ more" rather than counting a reviewer's thousands of waiting proposals on every visit
# (an exact count of 11,000 took 100 ms at 100,000 proposals; bench/, issue 16).

ACTION_ROWS = 10
ACTION_COUNTED = 100


@dataclass(frozen=True)
class ActionList:
    """Up to ACTION_ROWS rows of one kind of waiting work, and how many there are in all (`total`,
    exact unless `capped`: then there are more than ACTION_COUNTED)."""

    rows: list[Any]
    total: int
    capped: bool = False

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


class _CountOf(Subquery):
    """COUNT(*) of a subquery's rows, as a scalar: uncorrelated, so the database evaluates it once
    for the whole statement, whatever the number of rows it is attached to."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _bounded(queryset: QuerySet[Any]) -> ActionList:
    """The first ACTION_ROWS rows with, in the same statement, how many there are up to
    ACTION_COUNTED + 1 (COUNT(*) over that many ids, in no order: the scan stops there). One round
    trip where a full list took two: a Commerce reviewer's home page read its two lists in four."""
    first = queryset.order_by().values("pk")[: ACTION_COUNTED + 1]
    rows = list(queryset.annotate(_counted=_CountOf(first))[:ACTION_ROWS])
    counted = rows[0]._counted if rows else 0
    return ActionList(rows=rows, total=min(counted, ACTION_COUNTED), capped=counted > ACTION_COUNTED)


@functools.cache
def _waiting_on_commerce() -> QuerySet[Proposal]:
    """Proposals in review with open license gates or unresolved screening hits, with what the panel
    shows of them, in the panel's order. Built once a process: its subqueries took about 2 ms to
    build on every Commerce home page (issue 16); each request chains its own filters onto it (a
    clone: this one is never evaluated)."""
    return (
        Proposal.objects.filter(status=ProposalStatus.IN_REVIEW, commerce_review__isnull=False)
        .filter(
            Exists(LicenseGate.objects.filter(proposal=OuterRef("pk"), status=GateStatus.OPEN))
            | Exists(ScreeningHit.objects.filter(proposal=OuterRef("pk"), status=HitStatus.UNRESOLVED))
        )
        .select_related("consortium")
        .only("title", "status", "consortium__name")
        .annotate(
            open_gates=count_per_proposal(LicenseGate, status=GateStatus.OPEN),
            unresolved_hits=count_per_proposal(ScreeningHit, status=HitStatus.UNRESOLVED),
            clock_days=F("commerce_review__clock_days"),
        )
        .order_by("-commerce_review__priority", "-commerce_review__clock_days", "pk")
    )


def commerce_action_required(user: Any) -> dict[str, ActionList]:
    """For a Commerce reviewer: proposals in review with open license gates or unresolved screening
    hits, assigned to them (`mine`) and assigned to nobody (`unassigned`), designated packages and the
    oldest review clock first; never one they are recused from."""
    if not is_commerce(user):
        return {}
    waiting = without_recused(_waiting_on_commerce(), user)
    return {
        "mine": _bounded(waiting.filter(commerce_review__reviewer_id=user.pk)),
        "unassigned": _bounded(waiting.filter(commerce_review__reviewer__isnull=True)),
    }


def _over_benchmark(benchmarks: dict[str, dict[str, int]], now: datetime) -> Q:
    """Deals whose days in stage exceed their stage's benchmark for their type (a deal whose terms
    are not computed yet counts as long-term, as exim.selectors.stage_clock does)."""
    over = Q(pk__in=[])
    for term, stages in benchmarks.items():
        of_type = Q(terms__term_class=term)
        if term == "long":
            of_type |= Q(terms__term_class="") | ~Q(terms__has_key="term_class")
        for stage, days in (stages or {}).items():
            if stage in DEAL_END_STAGES:
                continue
            # More than `days` whole days in the stage (stage_clock: days > benchmark).
            over |= of_type & Q(stage=stage, stage_entered_at__lte=now - timedelta(days=days + 1))
    return over


def exim_action_required(user: Any, *, now: datetime | None = None) -> dict[str, ActionList]:
    """For an EXIM officer: open deals past their stage's benchmark, longest in stage first."""
    if not is_exim(user):
        return {}
    now = now or timezone.now()
    benchmarks = ProgramSettings.current().deal_stage_benchmark_days or {}
    deals = (
        Deal.objects.exclude(stage__in=DEAL_END_STAGES)
        .filter(_over_benchmark(benchmarks, now))
        .select_related("proposal")
        .only("stage", "stage_entered_at", "terms", "priority", "proposal__title")
        .order_by("-priority", "stage_entered_at", "pk")
    )
    listed = _bounded(deals)
    for deal in listed.rows:
        deal.days = deal.days_in_stage(now)
        deal.benchmark = deal.benchmark_days(benchmarks)
    return {"deals": listed}


@functools.cache
def _seats_awaiting_evaluators() -> QuerySet[PanelMember]:
    """Panel seats awaiting their conflict declaration or (no conflict declared) their scores, oldest
    stage first; built once a process, as _waiting_on_commerce (never evaluated itself)."""
    return (
        PanelMember.objects.filter(
            Q(declared_at__isnull=True, panel__status=PanelStatus.CONFLICTS)
            | Q(has_conflict=False, submitted_at__isnull=True, panel__status=PanelStatus.SCORING)
        )
        .select_related("panel__proposal")
        .only("panel__status", "panel__stage_entered_at", "panel__proposal__title", "declared_at")
        .order_by("panel__stage_entered_at", "pk")
    )


def evaluation_action_required(user: Any) -> dict[str, ActionList]:
    """For an evaluator: the panels awaiting their conflict declaration or (no conflict declared)
    their scores, oldest stage first, in one query; each row's `awaits` says which. Without any
    seat (most Commerce reviewers: their seats are read for the recusal rule anyway) nothing waits,
    and the query is spared (issue 16)."""
    if not is_evaluator(user) or not sits_on_any_panel(user):
        return {}
    listed = _bounded(_seats_awaiting_evaluators().filter(evaluator_id=user.pk))
    for seat in listed.rows:
        seat.awaits = "conflicts" if seat.panel.status == PanelStatus.CONFLICTS else "scores"
    return {"panels": listed}


def action_required_for(user: Any) -> dict[str, ActionList]:
    """Everything waiting on this user, by kind; only the kinds that have rows."""
    found = {
        **commerce_action_required(user),
        **exim_action_required(user),
        **evaluation_action_required(user),
    }
    return {kind: listed for kind, listed in found.items() if listed.total}
