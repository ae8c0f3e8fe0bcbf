"""Reads that depend on who asks: one visibility-scoped queryset per model, and derived views."""

import csv
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.commerce.models import CommerceReview, LicenseGate
from proposals.core.access import access
from proposals.core.enums import (
    EximProduct,
    GeneratedKind,
    ProposalStatus,
)
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import Country, ProgramSettings
from proposals.core.permissions import (
    cleared_panel_proposal_ids,
    consortium_roles,
    is_agency_reviewer,
    without_recused,
)
from proposals.documents.models import GeneratedDocument, PaperRender
from proposals.evaluation.workflow import EVALUATOR_AGENCIES
from proposals.exim.models import Deal
from proposals.exim.policy.financing import FinancingRules
from proposals.intake.enums import ACTIVE_BOM_IMPORT_STATUSES
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium, ConsortiumMember, Owner
from proposals.intake.models.proposal import Proposal, ProposalTally, Revision
from proposals.intake.policy.calls import call_is_open
from proposals.intake.policy.completeness import CompletenessRules, Finding, evaluate
from proposals.intake.policy.revisions import RevisionDiff, revision_diff
from proposals.intake.policy.snapshot import ITEM_FIELDS, PARTY_FIELDS, SITE_FIELDS, Snapshot
from proposals.intake.workflow import OWED_WORK
from proposals.search.selectors import CountryFilter, SearchFilterSet


def proposals_visible_to(user: Any) -> QuerySet[Proposal]:
    """Consortium users see their consortia's proposals; Commerce, EXIM and program staff see everything
    once submitted; evaluators of other agencies the proposals of the panels they sit on. Nobody sees a
    proposal they declared a conflict of interest on (the recusal rule, `core.permissions.is_recused`)."""
    qs = Proposal.objects.select_related("consortium")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_agency_reviewer(user):
        # "> 0", not "<> 0" (the same rows: the field is unsigned): an index condition on
        # proposal_status_revision instead of a filter on each entry; the agency pager's count over
        # 73,000 rows took 2.4 ms instead of 3.5 (bench/, issue 8).
        qs = qs.filter(revision_number__gt=0)
        if getattr(user, "agency", "") in EVALUATOR_AGENCIES:  # Commerce staff sit on panels too
            qs = without_recused(qs, user)
        return qs
    if getattr(user, "agency", ""):  # an evaluating agency
        return qs.filter(pk__in=cleared_panel_proposal_ids(user), revision_number__gt=0)
    return qs.filter(consortium_id__in=list(consortium_roles(user)))


def proposal_total_kept(*, statuses: Iterable[str], excluding: Iterable[int] = ()) -> Expression:
    """How many proposals submitted at least once are in `statuses`, less those among `excluding` (the
    proposals a user is recused from): an expression a list's statement selects beside its keys.

    Read from the tally the database keeps (models.ProposalTally): a sum of a few rows, where a COUNT
    reads every matching proposal (7 to 8 ms for the 50,000 of the Commerce queue; issue 16). Only for a
    list narrowed by nothing but state and recusal: any other filter is counted the usual way.
    """
    statuses = sorted(statuses)
    kept = Subquery(
        ProposalTally.objects.filter(status__in=statuses, submitted=True)
        .order_by()
        .annotate(n=Func(F("proposals"), template="COALESCE(SUM(%(expressions)s), 0)"))
        .values("n"),
        output_field=IntegerField(),
    )
    excluding = sorted(excluding)
    if not excluding:
        return kept
    recused = Subquery(
        Proposal.objects.filter(pk__in=excluding, status__in=statuses)
        .exclude(revision_number=0)
        .order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n"),
        output_field=IntegerField(),
    )
    return CombinedExpression(kept, "-", recused, output_field=IntegerField())


def proposal_tally_drift() -> dict[tuple[str, bool], tuple[int, int]]:
    """Where the tally and a count of the proposals disagree: {(status, submitted): (kept, counted)}.
    Empty when they agree, as the triggers keep them (tests and `manage.py tally_rebuild --check`).

    Both are read in one statement (one snapshot): read one after the other, a move committed between
    the two reads showed as drift on a live database."""
    kept = (
        ProposalTally.objects.order_by()
        .values_list("status", "submitted")
        .annotate(kept=Sum("proposals"), counted=Value(0))
    )
    counted = (
        Proposal.objects.order_by()
        .annotate(submitted=Q(revision_number__gt=0))
        .values_list("status", "submitted")
        .annotate(kept=Value(0), counted=Count("pk"))
    )
    sums: dict[tuple[str, bool], tuple[int, int]] = {}
    for status, submitted, n_kept, n_counted in kept.union(counted, all=True):
        key = (status, bool(submitted))
        before = sums.get(key, (0, 0))
        sums[key] = (before[0] + n_kept, before[1] + n_counted)
    return {key: pair for key, pair in sums.items() if pair[0] != pair[1]}


def proposal_list_for(user: Any) -> QuerySet[Proposal]:
    """The dashboard list: each fetched row carries `item_count`, read for the page in one query.

    Not Count() over a join (every page and the pager's COUNT grouped all the user's line items,
    2M rows at program scale) nor a correlated subquery (computed for every row an OFFSET skips):
    see ProposalQuerySet.with_item_counts and bench/ (issue 8).
    """
    # The order is restated so pages stay stable whatever a caller adds.
    return proposals_visible_to(user).with_item_counts().order_by(*Proposal._meta.ordering)


def calls_open_on(today: date) -> list[Call]:
    """The calls that accept proposals on `today` (newest first): the choices for a new proposal."""
    return [call for call in Call.objects.order_by("-opens_on", "-pk") if call_is_open(call, today)]


def calls_with_counts() -> QuerySet[Call]:
    """Every call with its number of proposals and its current (published) rubric version."""
    proposals = (
        Proposal.objects.filter(call_id=OuterRef("pk")).order_by().values("call_id").annotate(n=Count("pk"))
    )
    return Call.objects.annotate(
        proposal_count=Coalesce(Subquery(proposals.values("n")), 0),
        current_version=Max("rubrics__version", filter=Q(rubrics__published_at__isnull=False)),
    ).order_by("-opens_on", "-pk")


def completeness_rules(*, max_age: float = 0) -> CompletenessRules:
    """The completeness engine's thresholds and country lists, read from the database (two queries).

    `max_age` > 0 lets a long-running process (a worker) reuse what it read that many seconds ago:
    reference data changes rarely, by an administrator, and intake then saves two queries a proposal.
    """
    global _rules_cache
    if max_age > 0 and _rules_cache is not None and time.monotonic() - _rules_cache[0] < max_age:
        return _rules_cache[1]
    program = ProgramSettings.current()
    countries = Country.objects.values_list("code", "oecd_category", "is_country_of_concern")
    rules = CompletenessRules(
        hardware_us_content_min=program.hardware_us_content_min,
        countries_of_concern=frozenset(code for code, _, concern in countries if concern),
        oecd_category={code: category for code, category, _ in countries},
        financing=FinancingRules.from_program(program),
    )
    _rules_cache = (time.monotonic(), rules)
    return rules


_rules_cache: tuple[float, CompletenessRules] | None = None


def proposal_findings(proposal: Proposal, *, snapshot: Snapshot | None = None) -> list[Finding]:
    return evaluate(snapshot or proposal_snapshot(proposal), rules=completeness_rules())


def status_counts_for(user: Any) -> dict[str, int]:
    # COUNT(*), not COUNT(id): the id is not in the index (consortium, status), so counting it read
    # every row of a 5,000-proposal consortium (18 ms) where the index alone answers (1 ms).
    rows = proposals_visible_to(user).order_by().values_list("status").annotate(n=Count("*"))
    counts = {status: 0 for status in ProposalStatus.values}
    counts.update(dict(rows))
    return counts


def consortia_for_new_proposal(user: Any) -> list[Consortium]:
    """The consortia in which this user may start a proposal (their lead and editor roles)."""
    consortia = Consortium.objects.filter(pk__in=list(consortium_roles(user))).order_by("name")
    return [c for c in consortia if user.has_perm("proposals.change_proposal", Proposal(consortium=c))]


def consortia_visible_to(user: Any) -> QuerySet[Consortium]:
    """The consortia this user acts for (any role); another consortium's is simply not there."""
    return Consortium.objects.filter(pk__in=list(consortium_roles(user))).order_by("name")


def consortium_members(*, consortium_id: int) -> QuerySet[ConsortiumMember]:
    """A consortium's members with their companies, anchor first, and how many other consortia
    each company is also in (`other_consortia`)."""
    return (
        ConsortiumMember.objects.filter(consortium_id=consortium_id)
        .select_related(
            "company",
            "company__country_of_incorporation",
            "company__principal_place_of_business",
            "company__ultimate_parent_country",
        )
        .prefetch_related("company__owners")
        .annotate(other_consortia=Count("company__memberships") - 1)
        .order_by("role", "company__legal_name", "pk")
    )


def may_start_proposal(user: Any) -> bool:
    """Whether consortia_for_new_proposal(user) is non-empty, from the cached roles (no query)."""
    return any(
        user.has_perm("proposals.change_proposal", Proposal(consortium_id=consortium_id))
        for consortium_id in consortium_roles(user)
    )


def proposal_timeline_for(user: Any, proposal: Proposal) -> QuerySet[AuditEvent]:
    """The audit events a user may read: the proposal's own lifecycle, and every track for agency staff."""
    events = AuditEvent.objects.filter(proposal=proposal).select_related("actor").order_by("created_at", "pk")
    return events if is_agency_reviewer(user) else events.filter(subject="proposal")


def proposal_revision_diff(
    proposal: Proposal, *, old: int | None = None, new: int | None = None
) -> RevisionDiff | None:
    """What changed between two frozen revisions (default: the latest and the one before it).

    None when there is nothing to compare (fewer than two revisions). The caller has already
    checked that the user may see the proposal. One query.
    """
    new = new or proposal.revision_number
    old = old or new - 1
    if old < 1 or new <= old:
        return None
    snapshots = dict(
        Revision.objects.filter(proposal=proposal, number__in=(old, new)).values_list("number", "snapshot")
    )
    if len(snapshots) != 2:
        return None
    return revision_diff(snapshots[old], snapshots[new])


# The proposals lists' sorts (the default walks the index proposal_recent).
PROPOSAL_SORTS: dict[str, tuple[str, ...]] = {
    "updated": ("-updated_at", "-pk"),
    "-updated": ("updated_at", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}


class ProposalFilter(SearchFilterSet):
    """The proposals lists' filters (web dashboards, API, CSV): state, the search box, ECCN and
    destination (on the search summary, proposals.search), and the sort."""

    # distinct=False: status is the proposal's own column, so no join can repeat a row; django-filter's
    # default DISTINCT made every pager COUNT a DISTINCT over all columns (EXIM approved: 7.5x baseline).
    status = django_filters.MultipleChoiceFilter(
        choices=ProposalStatus.choices,
        distinct=False,
        help_text="One or more states; repeat the parameter for several.",
    )
    # One destination filter on this list, named `country` as the API has always called it.
    destination = None
    country = CountryFilter(
        queryset=Country.objects.all(),
        method="filter_search",
        label="Destination country",
        help_text="Proposals with a site in, or targeting, this country (ISO 3166-1 alpha-2 code).",
    )
    sort = django_filters.ChoiceFilter(
        choices=[
            ("updated", "Recently updated"),
            ("-updated", "Least recently updated"),
            ("title", "Title, A to Z"),
            ("-title", "Title, Z to A"),
        ],
        method="filter_sort",
        label="Sort by",
        empty_label="Recently updated",
    )

    class Meta:
        model = Proposal
        fields = ["status"]

    def filter_sort(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        return queryset.order_by(*PROPOSAL_SORTS[value])


# The proposals CSV (web and API): header, then what each row reads, in the same order.
PROPOSALS_CSV = (
    ("Proposal ID", "pk"),
    ("Title", "title"),
    ("Consortium", "consortium__name"),
    ("Status", "status"),
    ("Revision", "revision_number"),
    ("EXIM product", "exim_product"),
    ("Amount (USD)", "financing_amount"),
    ("Tenor (years)", "tenor_years"),
    ("Status since", "status_changed_at"),
    ("Created", "created_at"),
    ("Updated", "updated_at"),
)
PROPOSALS_CSV_CHUNK = 2000


class _Echo:
    """csv.writer's file: each written row comes back as the string to stream."""

    def write(self, value: str) -> str:
        return value


def csv_cell_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting with =, +, -, @, a tab or a return would be run
    as a formula (CSV injection), so it gets a leading apostrophe. For free text users typed."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def proposals_csv_lines(queryset: QuerySet[Proposal]) -> Iterator[str]:
    """The CSV, a line at a time: plain values through a server-side cursor, so memory stays flat
    whatever the number of rows (100,000 proposals: bench/, issue 8)."""
    writer = csv.writer(_Echo())
    statuses = dict(ProposalStatus.choices)
    products = dict(EximProduct.choices)
    yield writer.writerow([header for header, _ in PROPOSALS_CSV])
    rows = queryset.values_list(*(column for _, column in PROPOSALS_CSV)).iterator(
        chunk_size=PROPOSALS_CSV_CHUNK
    )
    for pk, title, consortium, status, revision, product, amount, tenor, since, created, updated in rows:
        yield writer.writerow(
            [
                pk,
                csv_cell_safe(title),
                csv_cell_safe(consortium),
                statuses.get(status, status),
                revision,
                products.get(product, product),
                "" if amount is None else amount,
                "" if tenor is None else tenor,
                _local(since),
                _local(created),
                _local(updated),
            ]
        )


@dataclass(frozen=True)
class ReviewProgress:
    """What the consortium sees of the federal review: where Commerce stands and EXIM's deal."""

    commerce: Any  # proposals.commerce.selectors.CommerceStanding
    deal: Any  # proposals.exim.models.Deal or None
    screened: bool
    delayed: bool = False  # some automated work has waited longer than usual (it will run)

    @property
    def gates(self) -> list[LicenseGate]:
        return self.commerce.gates


def review_progress(proposal: Proposal) -> ReviewProgress:
    """Commerce's standing in the consortium's words (commerce.selectors.consortium_standing: never a
    screening hit or a clearance reason), and the deal."""
    # Commerce's selectors read intake's (the revision diff), so this one reads theirs when called.
    from proposals.commerce.selectors import consortium_standing  # noqa: PLC0415

    deal = Deal.objects.filter(proposal=proposal).first()
    screened = CommerceReview.objects.filter(proposal=proposal, screened_at__isnull=False).exists()
    return ReviewProgress(
        commerce=consortium_standing(proposal=proposal),
        deal=deal,
        screened=screened,
        delayed=bool(owed_work_delayed(proposal_id=proposal.pk)),
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def proposal_snapshot(proposal: Proposal) -> Snapshot:
    """Read a proposal and everything in it, in a fixed number of queries whatever its size."""
    members = proposal.consortium.members.select_related("company").order_by("pk")
    # Every owner the proposal names (its parties' and its members' companies'), in one query.
    owners: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for party_id, company_id, name, country, percent in (
        Owner.objects.filter(
            Q(party__proposal=proposal) | Q(company__memberships__consortium_id=proposal.consortium_id)
        )
        .order_by("pk")
        .values_list("party_id", "company_id", "name", "country_id", "percent")
    ):
        key = ("party", party_id) if party_id is not None else ("company", company_id)
        owners.setdefault(key, []).append({"name": name, "country": country, "percent": str(percent)})
    return {
        "id": proposal.pk,
        "consortium": proposal.consortium.name,
        "title": proposal.title,
        "summary": proposal.summary,
        "target_countries": sorted(proposal.target_countries.values_list("code", flat=True)),
        "target_blocs": proposal.target_blocs,
        "use_cases": proposal.use_cases,
        "security_measures": proposal.security_measures,
        "end_use": proposal.end_use,
        "confidential_sections": list(proposal.confidential_sections or []),
        "financing": {
            "product": proposal.exim_product,
            "amount": _money(proposal.financing_amount),
            "local_costs": _money(proposal.local_costs),
            "tenor_years": _money(proposal.tenor_years),
            "dfc": proposal.dfc_support_requested,
            "ustda": proposal.ustda_support_requested,
        },
        "members": [
            {
                "id": m.pk,
                "company": m.company.legal_name,
                "role": m.role,
                "layers": list(m.layers or []),
                "country_of_incorporation": m.company.country_of_incorporation_id,
                "principal_place_of_business": m.company.principal_place_of_business_id,
                "ultimate_parent": m.company.ultimate_parent,
                "ultimate_parent_country": m.company.ultimate_parent_country_id,
                "owners": owners.get(("company", m.company_id), []),
            }
            for m in members
        ],
        "sites": list(proposal.sites.order_by("pk").values("id", *SITE_FIELDS)),
        "line_items": [
            {**row, "unit_value": str(row["unit_value"]), "us_origin_value": str(row["us_origin_value"])}
            for row in proposal.line_items.order_by("layer", "pk").values("id", *ITEM_FIELDS)
        ],
        "parties": [
            {**row, "owners": owners.get(("party", row["id"]), [])}
            for row in proposal.parties.order_by("role", "pk").values("id", *PARTY_FIELDS)
        ],
        "documents": list(
            proposal.documents.order_by("category", "pk").values("id", "category", "original_name", "sha256")
        ),
        # What the call asks of the proposal, frozen with it: completeness reads these requirements.
        "call": call_requirements(proposal.call) if proposal.call_id else None,
    }


def call_requirements(call: Call) -> dict[str, Any]:
    """The call's requirements as a snapshot carries them (plain data for the completeness engine)."""
    return {
        "id": call.pk,
        "name": call.name,
        "federal_register_citation": call.federal_register_citation,
        "required_layers": list(call.required_layers or []),
        "required_document_categories": list(call.required_document_categories or []),
        "eligibility": dict(call.eligibility or {}),
    }


def access_proposal(user: Any, pk: Any, *, perm: str = "proposals.view_proposal") -> Proposal:
    """The proposal `pk` if the user may see it and holds `perm` on it; otherwise a 404 (a proposal
    the user may not act on looks the same as one that does not exist)."""
    # The call rides along: the checklist beside every page reads its requirements (no extra query).
    return access(user, proposals_visible_to(user).select_related("call"), pk, perm=perm, hide_refusal=True)


def bom_import_jobs_visible_to(user: Any) -> QuerySet[BomImportJob]:
    """A proposal's imports are its consortium's business only (any role in it): agency staff, who
    see the submitted proposal, never see the files it was drafted from."""
    return BomImportJob.objects.filter(proposal__consortium_id__in=list(consortium_roles(user)))


def access_bom_import_job(user: Any, proposal_id: int, pk: Any) -> BomImportJob:
    """The import `pk` of proposal `proposal_id` if the user's consortium owns it; otherwise a 404."""
    return access(user, bom_import_jobs_visible_to(user).filter(proposal_id=proposal_id), pk)


def bom_import_job_delayed(job: BomImportJob) -> bool:
    """A job still owed whose row has not moved for too long: the page says so (the sweeper resends it)."""
    return not job.is_finished and job.updated_at < stale_cutoff()


# --- Work intake and documents owe, and whether a proposal's background work is delayed ------------


def owed_intake(*, older_than: datetime) -> QuerySet[Proposal]:
    """Submitted, waiting for automated intake."""
    return Proposal.objects.filter(
        status=ProposalStatus.SUBMITTED, status_changed_at__lt=older_than
    ).order_by("status_changed_at", "pk")


def owed_dossier(*, older_than: datetime) -> QuerySet[Proposal]:
    """With Commerce or the consortium (submitted, in review, returned) and no dossier of the current
    revision stored."""
    current = GeneratedDocument.objects.filter(
        proposal_id=OuterRef("pk"),
        kind=GeneratedKind.DOSSIER,
        subject_id=0,
        revision=OuterRef("revision_number"),
    )
    not_renderable = PaperRender.objects.filter(
        proposal_id=OuterRef("pk"), kind=GeneratedKind.DOSSIER, subject_id=0
    ).exclude(refused="")
    return (
        Proposal.objects.filter(
            status__in=(ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.RETURNED),
            revision_number__gt=0,
            status_changed_at__lt=older_than,
        )
        .exclude(Exists(current))
        # A dossier marked as not renderable (too large, out of time) is not owed until its data changes.
        .exclude(Exists(not_renderable))
        .order_by("status_changed_at", "pk")
    )


def owed_bom_imports(*, older_than: datetime) -> QuerySet[BomImportJob]:
    """Bill-of-materials imports queued or being read whose row has not moved since `older_than`."""
    return BomImportJob.objects.filter(
        status__in=ACTIVE_BOM_IMPORT_STATUSES, updated_at__lt=older_than
    ).order_by("updated_at", "pk")


def stale_cutoff(now: datetime | None = None) -> datetime:
    """Work owed since before this moment has waited too long: its message is presumed lost."""
    return (now or timezone.now()) - timedelta(seconds=settings.EXPORTAI_SWEEPER_STALE_AFTER_SECONDS)


def owed_work_delayed(*, proposal_id: int) -> list[str]:
    """The automated work (workflow.OWED_WORK) this proposal has owed for too long, in words: the page
    says background work is delayed (it is recorded; the sweeper sends it again)."""
    cutoff = stale_cutoff()
    return [
        row.work
        for row in OWED_WORK
        if import_string(row.owing)(older_than=cutoff).filter(**{row.proposal_field: proposal_id}).exists()
    ]
