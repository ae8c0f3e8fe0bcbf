"""Reads for the Commerce workspace: the queue (filters, sorting), one proposal's track."""

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Expression
from django.utils import timezone

from accounts.models import user_shown_as
from proposals.commerce.models import (
    CommerceReview,
    InformationRequest,
    LicenseGate,
    LicensingPolicyVersion,
    ScreeningHit,
    ScreeningListVersion,
)
from proposals.commerce.policy.eccn import normalize_eccn
from proposals.core.access import access, require
from proposals.core.counts import count_per_proposal, distinct_per_proposal
from proposals.core.enums import (
    BLOCKING_GATE_STATUSES,
    BLOCKING_HIT_STATUSES,
    GateStatus,
    HitStatus,
    ProposalStatus,
    ReviewClockFlag,
    ScreenedSubject,
)
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import ProgramSettings
from proposals.core.pagination import DeferredJoinPagination, DeferredJoinPaginator
from proposals.core.permissions import is_commerce, recused_proposal_ids, without_recused
from proposals.core.statements import KeyedStatement
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel
from proposals.intake.models.consortium import Consortium, ConsortiumMember
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.intake.policy.revisions import RevisionDiff
from proposals.intake.selectors import (
    owed_work_delayed,
    proposal_revision_diff,
    proposal_total_kept,
    proposals_visible_to,
)
from proposals.search.selectors import SearchFilterSet

# What a Commerce reviewer works on: anything submitted and not yet finished.
QUEUE_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.RETURNED)

AGE_BANDS = {
    # Clock days, matching the EO 12981 marks' default values; the labels say which mark.
    "under_9": (None, 9),
    "9_to_30": (9, 30),
    "30_to_90": (30, 90),
    "over_90": (90, None),
}

# "clock" walks the index commerce_review_clock (clock_days DESC, proposal); "-clock" walks it backwards.
SORTS: dict[str, tuple[Any, ...]] = {
    # The default: designated priority packages first (proposals.evaluation), then the oldest clock,
    # read off the index commerce_review_clock.
    "clock": (F("commerce_review__priority").desc(), F("commerce_review__clock_days").desc(), "pk"),
    "-clock": (F("commerce_review__clock_days").asc(), "-pk"),
    "updated": ("-updated_at", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}


def commerce_proposals_for(user: Any) -> QuerySet[Proposal]:
    """Every submitted proposal, for Commerce reviewers; nothing for anyone else."""
    if not is_commerce(user):
        return Proposal.objects.none()
    return _submitted_proposals()


def _submitted_proposals() -> QuerySet[Proposal]:
    """Every proposal submitted at least once: what Commerce sees (the same for every reviewer)."""
    return Proposal.objects.exclude(revision_number=0)


def commerce_queue_for(user: Any) -> QuerySet[Proposal]:
    """The proposals a Commerce reviewer's queue lists: every submitted proposal but those the
    reviewer is recused from (as on every list); nothing for anyone else. Its total, when only state
    narrows it, is read from the counts the database keeps (CommerceQueueFilter.total_kept), which
    count exactly these proposals: a rule added here must be added there too (tested by
    test_queue_total_kept_is_the_queue_count).

    A plain queryset, for the keys: CommerceQueueFilter narrows and sorts it, CommerceQueuePaginator
    reads a page's keys and the total from it, then the page's rows (QueueRow: counts, clock,
    reviewer, destinations, ECCNs) by those keys through statements compiled once a process. Cloning
    the rows' annotations and joins at every filter step cost about 0.5 ms a request (issue 16).
    """
    if not is_commerce(user):
        return Proposal.objects.none()
    return without_recused(_submitted_proposals(), user)


class CommerceQueuePaginator(DeferredJoinPaginator):
    """Pages of the queue: the page's keys are read through an INNER join to the Commerce review.

    Every submitted proposal has its review from its first submission (services.transitions; guarded
    by test_every_submitted_proposal_has_its_commerce_review), so the inner join drops no row, and it
    lets PostgreSQL walk the index commerce_review_clock (clock days, proposal) for the page instead
    of sorting every queued proposal (56 ms at 50,000 queued rows, 0.3 ms with the index). The total
    is counted without the join (the proposal index alone).

    The page holds QueueRows (`queue_rows_for`): its keys are read with the total beside them (one
    statement, the total a scalar subquery), then the rows by those keys through the row statement
    compiled once a process. Building and compiling the rows with their counts and joins on every
    request cost about 6 ms of CPU, as much as PostgreSQL took to answer them (issue 16).
    """

    def page_keys(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(commerce_review__isnull=False)

    @staticmethod
    def keyed_rows(keys: Sequence[int]) -> "list[QueueRow]":
        """The page's rows: QueueRows by the page's keys (a statement compiled once a process)."""
        return queue_rows_for(keys)


class CommerceQueuePagination(DeferredJoinPagination):
    paginator_class = CommerceQueuePaginator


@dataclass(slots=True)
class QueueRow:
    """One row of the queue as the page and the API show it: plain values, no model instances.

    Read by QUEUE_ROWS from the page's keys (instantiating 25 proposals with their consortium, review,
    reviewer and summary cost about 4 ms a page, issue 16); `queue_rows_for` sorts the destinations
    and fills `queue_eccns`.
    """

    pk: int
    title: str
    status: str
    revision_number: int
    consortium_name: str
    # The Commerce review's clock; `has_review` False when the proposal has no review (never on the
    # queue's pages, read through an inner join to it, but a row must not claim a clock it lacks).
    has_review: bool
    registered_at: datetime | None
    clock_days: int | None
    clock_paused: bool | None
    clock_flag: str | None
    clock_next_mark: str | None
    clock_days_to_mark: int | None
    reviewer_username: str | None
    reviewer_first_name: str | None
    reviewer_last_name: str | None
    # The line items' ECCNs from the search summary; None when the proposal has none (see below).
    summary_eccns: list[str] | None
    open_gates: int
    blocking_gates: int
    unresolved_hits: int
    open_rfis: int
    queue_destinations: list[str] = field(default_factory=list)
    queue_eccns: list[str] = field(default_factory=list)

    @property
    def reviewer_name(self) -> str | None:
        """The reviewer as the portal names a user (accounts.models.user_shown_as); None when
        unassigned."""
        if self.reviewer_username is None:
            return None
        return user_shown_as(
            first_name=self.reviewer_first_name,
            last_name=self.reviewer_last_name,
            username=self.reviewer_username,
        )

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_clock_flag_display(self) -> str:
        return str(_CLOCK_FLAG_LABELS.get(self.clock_flag, self.clock_flag))


_STATUS_LABELS = dict(ProposalStatus.choices)
_CLOCK_FLAG_LABELS = dict(ReviewClockFlag.choices)


# QueueRow's fields read from the database, each with the column it is read from: one table, so a
# field and its column cannot be paired by position (QueueRow's lists are filled after the read).
_QUEUE_ROW_COLUMNS = {
    "pk": "pk",
    "title": "title",
    "status": "status",
    "revision_number": "revision_number",
    "consortium_name": "consortium_name",
    "has_review": "commerce_review__pk",  # the review's key or None (queue_rows_for makes it a bool)
    "registered_at": "commerce_review__registered_at",
    "clock_days": "commerce_review__clock_days",
    "clock_paused": "commerce_review__clock_paused",
    "clock_flag": "commerce_review__clock_flag",
    "clock_next_mark": "commerce_review__clock_next_mark",
    "clock_days_to_mark": "commerce_review__clock_days_to_mark",
    "reviewer_username": "commerce_review__reviewer__username",
    "reviewer_first_name": "commerce_review__reviewer__first_name",
    "reviewer_last_name": "commerce_review__reviewer__last_name",
    "summary_eccns": "search_summary__item_eccns",
    "open_gates": "open_gates",
    "blocking_gates": "blocking_gates",
    "unresolved_hits": "unresolved_hits",
    "open_rfis": "open_rfis",
    "queue_destinations": "destinations",
}


def _queue_row_values() -> QuerySet[Proposal]:
    """The columns of _QUEUE_ROW_COLUMNS, in its order: the queue's row statement (built once a process).

    The counts are correlated subqueries, not Count() over joins: four aggregates over gates, hits
    and RFIs grouped every queued proposal before LIMIT (seconds at 100,000 proposals, issue 8); by
    the page's keys they run for its rows only. No long texts or JSON of the proposal are read.
    The consortium's name is a subquery too: joined, the planner hashed all 2,000 consortia for the
    page's 25 rows (0.5 ms of the statement's 2.4 on the bench database; by key, 25 index reads).
    """
    return Proposal.objects.annotate(
        consortium_name=Subquery(Consortium.objects.filter(pk=OuterRef("consortium_id")).values("name")),
        open_gates=count_per_proposal(LicenseGate, status=GateStatus.OPEN),
        blocking_gates=count_per_proposal(LicenseGate, status__in=BLOCKING_GATE_STATUSES),
        unresolved_hits=count_per_proposal(ScreeningHit, status=HitStatus.UNRESOLVED),
        open_rfis=count_per_proposal(InformationRequest, answered_at__isnull=True),
        destinations=distinct_per_proposal(Site, "country_id"),
    ).values_list(*_QUEUE_ROW_COLUMNS.values())


# The page's rows by the page's keys: the same statement on every request, so it is compiled once a
# process (proposals.core.statements); recusal, filters and order are the keys' query's
# (commerce_queue_for, CommerceQueueFilter, CommerceQueuePaginator).
QUEUE_ROWS = KeyedStatement(_queue_row_values)


def queue_rows_for(keys: Sequence[int]) -> list[QueueRow]:
    """The queue's rows for these keys, in the keys' order, with their destinations and ECCNs: one
    statement (and one more for rows without a search summary, see below).

    The ECCNs come with the row, from its search summary (kept in step with the line items in the
    same transaction). A row without a summary (a proposal written outside the services, until the
    sweeper rebuilds it) has its ECCNs read from its line items: a row never shows none by mistake.
    """
    by_key = {}
    for values in QUEUE_ROWS.rows(keys):
        named = dict(zip(_QUEUE_ROW_COLUMNS, values, strict=True))
        named["has_review"] = named["has_review"] is not None
        by_key[named["pk"]] = QueueRow(**named)
    rows = [by_key[key] for key in keys if key in by_key]
    missing = [row.pk for row in rows if row.summary_eccns is None]
    eccns: dict[int, set[str]] = defaultdict(set)
    for proposal_id, eccn in (
        LineItem.objects.filter(proposal_id__in=missing)
        .exclude(eccn="")
        .order_by()
        .values_list("proposal_id", "eccn")
        .distinct()
        if missing
        else ()
    ):
        eccns[proposal_id].add(normalize_eccn(eccn))
    for row in rows:
        row.queue_destinations = sorted(row.queue_destinations)
        row.queue_eccns = row.summary_eccns if row.summary_eccns is not None else sorted(eccns[row.pk])
    return rows


def _assignee_choices() -> list[tuple[str, str]]:
    """Me, nobody, or one of the Commerce reviewers (by id): the values the filter knows."""
    reviewers = (
        get_user_model()
        .objects.filter(agency="commerce", is_active=True)
        .order_by("first_name", "last_name", "username")
    )
    return [("me", "Assigned to me"), ("none", "Not assigned")] + [
        (str(user.pk), user.get_full_name() or user.username) for user in reviewers
    ]


class CommerceQueueFilter(SearchFilterSet):
    """The queue's filters, shared by the web page and the API: the search box, ECCN and destination
    (on the search summary, proposals.search), and the queue's own."""

    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES], method="filter_status"
    )
    assignee = django_filters.ChoiceFilter(
        choices=_assignee_choices, method="filter_assignee", label="Reviewer", empty_label="Anyone"
    )
    age = django_filters.ChoiceFilter(
        choices=[
            ("under_9", "Under 9 days"),
            ("9_to_30", "9 to 30 days"),
            ("30_to_90", "30 to 90 days"),
            ("over_90", "90 days or more"),
        ],
        method="filter_age",
        label="Clock",
        empty_label="Any age",
    )
    flag = django_filters.ChoiceFilter(
        field_name="commerce_review__clock_flag",
        choices=ReviewClockFlag.choices,
        label="Clock state",
        empty_label="Any state",
    )
    sort = django_filters.ChoiceFilter(
        choices=[
            ("clock", "Oldest clock first"),
            ("-clock", "Newest clock first"),
            ("updated", "Recently updated"),
            ("title", "Title, A to Z"),
            ("-title", "Title, Z to A"),
        ],
        method="filter_sort",
        empty_label="Oldest clock first",
        label="Sort by",
    )

    class Meta:
        model = Proposal
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=QUEUE_STATUSES)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["clock"])
        return super().filter_queryset(queryset)

    @property
    def total_kept(self) -> Expression | None:
        """The queue's total as the database keeps it (proposals submitted at least once in the chosen
        states, less the reviewer's recusals), when no other filter narrows the queue; None otherwise
        (then counted). DeferredJoinPaginator reads it beside the page's keys (bounds_of)."""
        if self.request is None or self.queryset.query.is_empty() or not self.is_valid():
            return None
        chosen = self.form.cleaned_data
        if any(value for name, value in chosen.items() if name not in ("status", "sort")):
            return None
        return proposal_total_kept(
            statuses=chosen.get("status") or QUEUE_STATUSES, excluding=recused_proposal_ids(self.request.user)
        )

    def filter_status(self, queryset: QuerySet[Proposal], name: str, value: list[str]) -> QuerySet[Proposal]:
        return queryset.filter(status__in=value) if value else queryset

    def filter_assignee(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        if value == "me":
            return queryset.filter(commerce_review__reviewer=self.request.user if self.request else None)
        if value == "none":
            return queryset.filter(
                Q(commerce_review__isnull=True) | Q(commerce_review__reviewer__isnull=True)
            )
        return queryset.filter(commerce_review__reviewer_id=int(value))

    def filter_age(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        low, high = AGE_BANDS[value]
        if low is not None:
            queryset = queryset.filter(commerce_review__clock_days__gte=low)
        if high is not None:
            queryset = queryset.filter(
                Q(commerce_review__clock_days__lt=high) | Q(commerce_review__isnull=True)
            )
        return queryset

    def filter_sort(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        return queryset.order_by(*SORTS.get(value, SORTS["clock"]))


@dataclass
class CommerceTrack:
    """Everything the Commerce proposal page shows, read in a fixed number of queries."""

    proposal: Proposal
    sites: list[Site]
    items: list[LineItem]
    parties: list[Any]
    members: list[Any]
    gates: list[LicenseGate]
    hits: list[ScreeningHit]
    rfis: list[InformationRequest]
    events: list[AuditEvent]
    # The latest revision against the one before it; None for a first submission.
    diff: RevisionDiff | None = None
    clearance: "Clearance | None" = None
    # Automated work owed for longer than it should take (its message presumed lost; the sweeper resends).
    delayed: list[str] = field(default_factory=list)

    @property
    def review(self) -> Any:
        return getattr(self.proposal, "commerce_review", None)


def commerce_track(*, proposal: Proposal) -> CommerceTrack:
    items = list(proposal.line_items.select_related("site__country").order_by("layer", "pk"))
    return CommerceTrack(
        proposal=proposal,
        sites=list(proposal.sites.select_related("country").order_by("pk")),
        items=items,
        parties=list(
            proposal.parties.select_related("country", "headquarters_country", "ultimate_parent_country")
            .prefetch_related("owners")
            .order_by("role", "pk")
        ),
        members=list(
            proposal.consortium.members.select_related(
                "company__principal_place_of_business", "company__ultimate_parent_country"
            )
            .prefetch_related("company__owners")
            .order_by("-role", "pk")
        ),
        gates=list(
            proposal.license_gates.select_related("destination", "policy_version", "decided_by").order_by(
                "eccn", "destination_id"
            )
        ),
        hits=list(
            proposal.screening_hits.select_related("entry", "adjudicated_by")
            .exclude(status=HitStatus.REMOVED)
            .order_by(F("status").desc(), "-score", "pk")
        ),
        rfis=information_requests_of(proposal=proposal),
        events=list(
            proposal.audit_events.select_related("actor")
            .exclude(subject="proposal", action="edit")
            .order_by("-created_at", "-pk")[:50]
        ),
        diff=proposal_revision_diff(proposal),
        clearance=commerce_clearance(proposal_id=proposal.pk),
        delayed=owed_work_delayed(proposal_id=proposal.pk),
    )


COMMERCE_ONLY = "Commerce reviewers only."


def access_commerce_proposal(user: Any, pk: Any) -> Proposal:
    """A proposal on Commerce's track, for a Commerce reviewer: the workspace permission, then the
    proposal among Commerce's (a 404 otherwise), then the right to review it (a 403 otherwise)."""
    require(user, "proposals.commerce_workspace", refusal=COMMERCE_ONLY)
    visible = commerce_proposals_for(user).select_related("consortium", "commerce_review__reviewer")
    return access(user, visible, pk, perm="proposals.review_commerce", refusal=COMMERCE_ONLY)


# --- Commerce clearance: one positive statement -------------------------------------------------

# Screening reasons the Commerce and EXIM pages, the API and the tests show; stable wording.
SCREENING_NO_LIST = "No screening list is loaded, so screening has not run."
SCREENING_NOT_RUN = "Screening has not run against list version {version}."
SCREENING_NOT_RUN_REVISION = "Screening has not run for revision {revision}."
SCREENING_OLD_LIST = "Screening ran against list version {old}; version {new} is the newest."
SCREENING_NOT_RUN_FOR = "Screening has not run for {names} (named since the last screening)."
SCREENING_REQUESTED = "Screening was asked for again on {at} and has not run yet."
LICENSING_NO_POLICY = "No licensing policy is loaded, so licenses cannot be determined."
LICENSING_NOT_RUN = "License determination has not run for revision {revision}."
LICENSING_OLD_POLICY = "Licenses were determined under policy v{old}; v{new} is in force."


@dataclass(frozen=True)
class ScreenedName:
    name: str
    subject_type: str
    label: str
    company_id: int | None = None
    party_id: int | None = None


def proposal_screened_names(proposal: Proposal) -> list[ScreenedName]:
    """Every consortium member and party to the export, each one's ultimate parent, and each one's
    owners (whose matches also feed the affiliates rule: commerce.services.screening)."""
    names: list[ScreenedName] = []
    members = (
        ConsortiumMember.objects.filter(consortium_id=proposal.consortium_id)
        .select_related("company")
        .prefetch_related("company__owners")
    )
    for member in members:
        company = member.company
        names.append(
            ScreenedName(
                company.legal_name, ScreenedSubject.MEMBER, f"{member.get_role_display()}", company.pk
            )
        )
        if company.ultimate_parent.strip():
            names.append(
                ScreenedName(
                    company.ultimate_parent,
                    ScreenedSubject.PARENT,
                    f"Parent of {company.legal_name}",
                    company.pk,
                )
            )
        for owner in company.owners.all():
            names.append(
                ScreenedName(
                    owner.name,
                    ScreenedSubject.OWNER,
                    f"Owner of {company.legal_name} ({owner.percent.normalize():f}%)",
                    company.pk,
                )
            )
    for party in Party.objects.filter(proposal=proposal).prefetch_related("owners"):
        names.append(
            ScreenedName(party.name, ScreenedSubject.PARTY, party.get_role_display(), party_id=party.pk)
        )
        if party.ultimate_parent.strip():
            names.append(
                ScreenedName(
                    party.ultimate_parent,
                    ScreenedSubject.PARTY_PARENT,
                    f"Parent of {party.name} ({party.get_role_display()})",
                    party_id=party.pk,
                )
            )
        for owner in party.owners.all():
            names.append(
                ScreenedName(
                    owner.name,
                    ScreenedSubject.OWNER,
                    f"Owner of {party.name} ({owner.percent.normalize():f}%)",
                    party_id=party.pk,
                )
            )
    return names


@dataclass(frozen=True)
class ClearanceFacts:
    """What the clearance checks read, once: the proposal, Commerce's review of it, what is in force."""

    proposal: Proposal
    review: CommerceReview | None
    policy: LicensingPolicyVersion | None  # the licensing policy in force (highest number)
    screening_list: ScreeningListVersion | None  # the newest screening list
    gates: list[LicenseGate]
    hits: list[ScreeningHit]
    # The program's setting `final_commitment_requires_designation`, and whether the package is
    # designated a priority AI export package (proposals.evaluation).
    designation_required: bool = False
    designated: bool = False


def _licenses_determined(facts: ClearanceFacts) -> list[str]:
    """Licenses were determined for the current revision under the licensing policy in force."""
    review, revision = facts.review, facts.proposal.revision_number
    if review is None or review.licenses_determined_at is None or review.licenses_revision != revision:
        return [LICENSING_NOT_RUN.format(revision=revision)]
    if facts.policy is None:
        return [LICENSING_NO_POLICY]
    if review.policy_version_id != facts.policy.pk:
        old = review.policy_version.number if review.policy_version else "?"
        return [LICENSING_OLD_POLICY.format(old=old, new=facts.policy.number)]
    return []


def _screening_current(facts: ClearanceFacts) -> list[str]:
    """Screening covered every current name against the newest list, and no new screening is owed."""
    review, newest = facts.review, facts.screening_list
    if newest is None:
        return [SCREENING_NO_LIST]
    if review is None or review.screened_at is None:
        return [SCREENING_NOT_RUN.format(version=newest.pk)]
    if review.screened_revision != facts.proposal.revision_number:
        return [SCREENING_NOT_RUN_REVISION.format(revision=facts.proposal.revision_number)]
    if review.screening_list_version_id != newest.pk:
        return [SCREENING_OLD_LIST.format(old=review.screening_list_version_id or "?", new=newest.pk)]
    reasons = []
    # A name is covered only if the last screening recorded it; a screening that recorded no names
    # (before migration 0007) covers nobody, and the sweeper screens it again.
    current = {n.name for n in proposal_screened_names(facts.proposal)}
    if unscreened := sorted(current - set(review.screened_names or [])):
        reasons.append(SCREENING_NOT_RUN_FOR.format(names=", ".join(f'"{name}"' for name in unscreened)))
    if review.screening_requested_at is not None:
        at = timezone.localtime(review.screening_requested_at).strftime("%d %b %Y %H:%M")
        reasons.append(SCREENING_REQUESTED.format(at=at))
    return reasons


def _gates_decided(facts: ClearanceFacts) -> list[str]:
    """No license gate is open, denied or returned without action: a license is in place for each."""
    return [
        f"License gate {gate.eccn} to {gate.destination.name} is {gate.get_status_display().lower()}."
        for gate in facts.gates
        if gate.status in BLOCKING_GATE_STATUSES
    ]


def _hits_resolved(facts: ClearanceFacts) -> list[str]:
    """No screening hit is unresolved or a confirmed match."""
    reasons = []
    for hit in facts.hits:
        if hit.status not in BLOCKING_HIT_STATUSES:
            continue
        state = "a confirmed match" if hit.status == HitStatus.CONFIRMED else "unresolved"
        reasons.append(
            f'Screening hit: "{hit.screened_name}" ({hit.get_subject_type_display().lower()}) matches '
            f'"{hit.matched_name}" on {hit.source}; {state}.'
        )
    return reasons


NOT_DESIGNATED = "Not designated a priority AI export package."


def _designated(facts: ClearanceFacts) -> list[str]:
    """When the program requires it (ProgramSettings.final_commitment_requires_designation), the
    national-interest determination designated the package a priority AI export package."""
    return [NOT_DESIGNATED] if facts.designation_required and not facts.designated else []


# The checks clearance is made of, in the order their reasons are shown. Each names what it holds on.
CLEARANCE_CHECKS: tuple[tuple[str, Callable[[ClearanceFacts], list[str]]], ...] = (
    ("licenses_determined", _licenses_determined),
    ("screening_current", _screening_current),
    ("gates_decided", _gates_decided),
    ("hits_resolved", _hits_resolved),
    ("designated", _designated),
)


@dataclass(frozen=True)
class Clearance:
    """Whether Commerce has cleared the proposal, and if not, every named reason why not."""

    proposal_id: int
    cleared: bool
    reasons: list[str]
    # check name -> its reasons, for the checks that hold (consortium_standing words them for the consortium)
    held: dict[str, list[str]]
    # When the last step clearance needed was done; None while not cleared.
    cleared_at: datetime | None
    gates: list[LicenseGate]


def _last_step_at(facts: ClearanceFacts) -> datetime | None:
    review = facts.review
    moments = [review.licenses_determined_at, review.screened_at] if review else []
    moments += [g.decided_at for g in facts.gates if g.status != GateStatus.NOT_REQUIRED]
    moments += [h.adjudicated_at for h in facts.hits if h.status != HitStatus.REMOVED]
    return max((m for m in moments if m is not None), default=None)


def commerce_clearance(*, proposal_id: int) -> Clearance:
    """Commerce has cleared a proposal only when every check in CLEARANCE_CHECKS finds nothing.

    The one reading of Commerce clearance: EXIM's final commitment, the Commerce and EXIM pages, the
    consortium's progress view and the API all call this. Fail closed: work not yet done (a lost
    message, a worker down, a resubmitted revision, a newer policy or list) is a named reason.
    """
    proposal = Proposal.objects.only("pk", "consortium_id", "revision_number", "status").get(pk=proposal_id)
    facts = ClearanceFacts(
        proposal=proposal,
        review=CommerceReview.objects.select_related("policy_version")
        .filter(proposal_id=proposal_id)
        .first(),
        policy=LicensingPolicyVersion.objects.order_by("-number").only("pk", "number").first(),
        screening_list=ScreeningListVersion.objects.order_by("-pk").only("pk").first(),
        gates=list(
            LicenseGate.objects.filter(proposal_id=proposal_id)
            .select_related("destination")
            .order_by("eccn", "destination__name")
        ),
        hits=list(
            ScreeningHit.objects.filter(proposal_id=proposal_id)
            .exclude(status=HitStatus.REMOVED)
            .order_by("screened_name", "matched_name", "pk")
        ),
        designation_required=ProgramSettings.current().final_commitment_requires_designation,
        designated=Panel.objects.filter(
            proposal_id=proposal_id, status=PanelStatus.DESIGNATED, designated_at__isnull=False
        ).exists(),
    )
    held = {name: why for name, check in CLEARANCE_CHECKS if (why := check(facts))}
    reasons = [why for group in held.values() for why in group]
    return Clearance(
        proposal_id=proposal_id,
        cleared=not reasons,
        reasons=reasons,
        held=held,
        cleared_at=None if reasons else _last_step_at(facts),
        gates=facts.gates,
    )


@dataclass(frozen=True)
class CommerceStanding:
    """Where Commerce stands, in words a consortium may read: never a screening entry or a reason."""

    # not_in_review, pending_determination, licenses_required, in_progress, awaiting_designation, cleared
    state: str
    headline: str
    gates: list[LicenseGate]  # the licenses the package needs, with their decisions
    cleared_at: datetime | None = None


COMMERCE_REVIEW_IN_PROGRESS = "Commerce review in progress."


def consortium_standing(*, proposal: Proposal, clearance: Clearance | None = None) -> CommerceStanding:
    """The consortium's view of clearance: license determination pending; licenses required (each
    ECCN to its country, with status and conditions once decided); or cleared on a date. Anything else
    that holds (screening, a possible match) reads only as "Commerce review in progress"."""
    if proposal.status not in (ProposalStatus.IN_REVIEW, ProposalStatus.APPROVED):
        return CommerceStanding("not_in_review", "Commerce reviews the proposal while it is in review.", [])
    clearance = clearance or commerce_clearance(proposal_id=proposal.pk)
    if clearance.cleared:
        day = timezone.localtime(clearance.cleared_at).strftime("%-d %b %Y") if clearance.cleared_at else ""
        needed = [g for g in clearance.gates if g.status != GateStatus.NOT_REQUIRED]
        return CommerceStanding(
            "cleared",
            f"Cleared by Commerce on {day}." if day else "Cleared by Commerce.",
            needed,
            clearance.cleared_at,
        )
    if "licenses_determined" in clearance.held:
        return CommerceStanding("pending_determination", "License determination pending.", [])
    needed = [g for g in clearance.gates if g.status != GateStatus.NOT_REQUIRED]
    if "gates_decided" in clearance.held:
        n = sum(1 for g in needed if g.status in BLOCKING_GATE_STATUSES)
        return CommerceStanding("licenses_required", f"Licenses required: {n} not yet in place.", needed)
    if list(clearance.held) == ["designated"]:
        return CommerceStanding(
            "awaiting_designation", "Awaiting the national-interest determination.", needed
        )
    return CommerceStanding("in_progress", COMMERCE_REVIEW_IN_PROGRESS, needed)


# --- Work Commerce owes (intake.workflow.OWED_WORK; the sweeper resends it) ------------------------


def _waited(older_than: datetime) -> QuerySet[Proposal]:
    return Proposal.objects.filter(status_changed_at__lt=older_than).order_by("status_changed_at", "pk")


def owed_review_start(*, older_than: datetime) -> QuerySet[Proposal]:
    """In review without Commerce's record, or with questions the resubmission answered still open."""
    answered = InformationRequest.objects.filter(
        proposal_id=OuterRef("pk"), answered_at__isnull=True, asked_revision__lt=OuterRef("revision_number")
    )
    return _waited(older_than).filter(
        Q(commerce_review__isnull=True) | Q(Exists(answered)), status=ProposalStatus.IN_REVIEW
    )


def owed_clock_registration(*, older_than: datetime) -> QuerySet[Proposal]:
    """Submitted, in review or returned, and the review clock not registered."""
    return _waited(older_than).filter(
        status__in=(ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.RETURNED),
        commerce_review__isnull=False,
        commerce_review__registered_at__isnull=True,
    )


def owed_screening(*, older_than: datetime) -> QuerySet[Proposal]:
    """Screening asked for again (a reviewer, a member change) and not run; or, in review, not run
    for this revision, against the newest list, or recording no names. Nothing while no list is loaded."""
    newest = ScreeningListVersion.objects.order_by("-pk").only("pk", "loaded_at").first()
    if newest is None:
        return Proposal.objects.none()
    review = "commerce_review__"
    not_current = (
        Q(commerce_review__isnull=True)
        | Q(**{f"{review}screened_at__isnull": True})
        | Q(**{f"{review}screened_revision__isnull": True})
        | ~Q(**{f"{review}screened_revision": F("revision_number")})
        | Q(**{f"{review}screened_names": []})
    )
    if newest.loaded_at < older_than:
        not_current |= ~Q(**{f"{review}screening_list_version": newest.pk}) | Q(
            **{f"{review}screening_list_version__isnull": True}
        )
    asked = Q(
        status__in=(ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW),
        **{f"{review}screening_requested_at__lt": older_than},
    )
    in_review = Q(status=ProposalStatus.IN_REVIEW, status_changed_at__lt=older_than) & not_current
    return Proposal.objects.filter(asked | in_review).order_by("status_changed_at", "pk")


def owed_determination(*, older_than: datetime) -> QuerySet[Proposal]:
    """In review and licenses not determined for this revision under the policy in force."""
    review = "commerce_review__"
    owed = (
        Q(commerce_review__isnull=True)
        | Q(**{f"{review}licenses_determined_at__isnull": True})
        | Q(**{f"{review}licenses_revision__isnull": True})
        | ~Q(**{f"{review}licenses_revision": F("revision_number")})
    )
    policy = LicensingPolicyVersion.objects.order_by("-number").only("pk", "loaded_at").first()
    if policy is not None and policy.loaded_at < older_than:
        owed |= ~Q(**{f"{review}policy_version": policy.pk}) | Q(**{f"{review}policy_version__isnull": True})
    return _waited(older_than).filter(owed, status=ProposalStatus.IN_REVIEW)


def owed_assignment(*, older_than: datetime) -> QuerySet[Proposal]:
    """In review with no reviewer while an active Commerce reviewer exists."""
    if not get_user_model().objects.filter(agency="commerce", is_active=True).exists():
        return Proposal.objects.none()
    return _waited(older_than).filter(
        status=ProposalStatus.IN_REVIEW, commerce_review__isnull=False, commerce_review__reviewer__isnull=True
    )


# --- Requests for information, as both sides read them ------------------------------------------------


def information_requests_of(*, proposal: Proposal) -> list[InformationRequest]:
    """Every request on a proposal, newest first, with who asked and the answer's files (3 queries)."""
    return list(
        proposal.information_requests.select_related("asked_by")
        .prefetch_related("attachments")
        .order_by("-asked_at", "-pk")
    )


# What a list of open requests shows: the question, when due, the proposal's title and who asked.
RFI_LISTED_FIELDS = (
    "proposal_id",
    "question",
    "due_date",
    "asked_at",
    "proposal__title",
    "proposal__status",
    "asked_by__agency",
)


def _information_requests_open(user: Any) -> QuerySet[InformationRequest]:
    """Open requests on visible proposals that wait on the consortium (returned), soonest due first."""
    # The state inside the visible set's subquery: for a consortium, one read of the index
    # (consortium, status) for its returned proposals, not each of its proposals.
    returned = proposals_visible_to(user).filter(status=ProposalStatus.RETURNED).values("pk")
    return InformationRequest.objects.filter(answered_at__isnull=True, proposal__in=returned).order_by(
        "due_date", "pk"
    )


def information_requests_open_for(user: Any) -> QuerySet[InformationRequest]:
    """Open requests on visible proposals that wait on the consortium (returned), soonest due first,
    with what a list of them shows."""
    return _information_requests_open(user).select_related("proposal", "asked_by").only(*RFI_LISTED_FIELDS)


@functools.cache
def _information_requests_listed() -> QuerySet[InformationRequest]:
    """Requests with what a list of them shows, soonest due first: built once a process (never
    evaluated itself; each request chains its keys onto a clone)."""
    return (
        InformationRequest.objects.select_related("proposal", "asked_by")
        .only(*RFI_LISTED_FIELDS)
        .order_by("due_date", "pk")
    )


def information_requests_due_first(user: Any, *, limit: int) -> QuerySet[InformationRequest]:
    """The first `limit` of information_requests_open_for(user), picked by key (sorted and cut in a
    subquery), then read with their proposal and asker: joined before the sort, the proposal and the
    asker of every open request were read, 378 of each for a 5,000-proposal consortium where the
    dashboard shows 10 (about half of its 2 ms query, issue 16)."""
    first = _information_requests_open(user).values("pk")[:limit]
    return _information_requests_listed().filter(pk__in=first)


def access_information_request(user: Any, pk: Any) -> InformationRequest:
    """A request on a proposal the user may see (a 404 otherwise, so ids reveal nothing)."""
    visible = InformationRequest.objects.filter(proposal__in=proposals_visible_to(user).values("pk"))
    return access(user, visible.select_related("proposal__consortium", "asked_by"), pk)
