"""EXIM reads: the deals a user may see, the filtered and sorted pipeline, its CSV rows, the ceiling
dashboard's figures, and a deal's timeline. Web and API call the same functions.
"""

import csv
from collections import namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from proposals.core.access import access
from proposals.core.enums import (
    DEAL_COMMITTED_STAGES,
    DEAL_END_STAGES,
    DEAL_PIPELINE_STAGES,
    DealStage,
    EximProduct,
    ProposalStatus,
)
from proposals.core.models.audit import AuditEvent
from proposals.core.models.reference import ProgramSettings
from proposals.core.pagination import DeferredJoinPaginator
from proposals.core.permissions import is_exim, is_program_admin
from proposals.core.selectors import RegionChoiceField, country_regions
from proposals.core.statements import KeyedStatement
from proposals.exim.models import Deal
from proposals.exim.policy import exposure
from proposals.exim.workflow import PRE_COMMITMENT
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import csv_cell_safe
from proposals.search.selectors import SearchFilterSet

CSV_CHUNK_SIZE = 2000


def deals_visible_to(user: Any) -> QuerySet[Deal]:
    """EXIM officers and program administrators see every deal; nobody else sees any."""
    qs = Deal.objects.all()
    if not getattr(user, "is_authenticated", False) or not (is_exim(user) or is_program_admin(user)):
        return qs.none()
    return qs


PIPELINE_ROW_FIELDS = (
    "stage",
    "stage_entered_at",
    "stage_order",
    "amount",
    "product",
    "tenor_years",
    "target_final_commitment_on",
    "target_closing_on",
    "created_at",
    "proposal__title",
    "proposal__consortium__name",
    "destination__name",
    "destination__region",
)


def pipeline_queryset(user: Any) -> QuerySet[Deal]:
    """Deals with what a list row shows, in a fixed number of queries however many rows."""
    return _with_row_columns(deals_visible_to(user))


def _with_row_columns(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return (
        deals.select_related("proposal__consortium", "destination")
        # Only what a row shows: the proposal's long texts and JSON, and the terms' findings, cost
        # more to load than the rest of the page (the two figures from the terms are annotations).
        .only(*PIPELINE_ROW_FIELDS)
        .annotate(
            financed_amount=KT("terms__financed_amount"),
            term_class_value=KT("terms__term_class"),
        )
    )


def _region_choices() -> list[tuple[str, str]]:
    return [(r, r) for r in country_regions()]


class RegionFilter(django_filters.ChoiceFilter):
    """Options kept per process; a chosen region is checked against the table (RegionChoiceField)."""

    field_class = RegionChoiceField


STAGE_GROUPS = {
    "pipeline": DEAL_PIPELINE_STAGES,
    "committed": DEAL_COMMITTED_STAGES,
    "closed": DEAL_END_STAGES,
}


class StableOrderingFilter(django_filters.OrderingFilter):
    """The chosen sort, then ties broken the same way every time, so pages neither repeat nor skip rows
    (many deals share an amount). Stage sorts as the pipeline does: stage order, then time in stage,
    which the index deal_pipeline_order serves in either direction."""

    def filter(self, qs: QuerySet[Deal], value: Any) -> QuerySet[Deal]:
        qs = super().filter(qs, value)
        if not value:
            return qs
        ordering = [str(o) for o in qs.query.order_by]
        last = ordering[-1] if ordering else ""
        desc = last.startswith("-")
        if last.lstrip("-") == "stage_order":
            ordering.append("-stage_entered_at" if desc else "stage_entered_at")
        return qs.order_by(*ordering, "-pk" if desc else "pk")


AMOUNT_FILTER_MAX = Decimal("9999999999999999.99")  # the largest amount the money columns hold
DAYS_FILTER_MAX = 36_500


class DealFilter(SearchFilterSet):
    """The pipeline's filters and sort orders (web form, API query and CSV export alike); the search
    box, ECCN and destination read the proposal's search summary (proposals.search)."""

    search_path = "proposal_id"

    stage = django_filters.MultipleChoiceFilter(choices=DealStage.choices)
    group = django_filters.ChoiceFilter(
        label="Stage group",
        choices=[("pipeline", "Pending"), ("committed", "Authorized"), ("closed", "Ended")],
        method="filter_group",
    )
    region = RegionFilter(field_name="destination__region", choices=_region_choices)
    product = django_filters.ChoiceFilter(choices=EximProduct.choices)
    # Bounded, so that no filter value overflows a date or a money column (a 400, never a 500).
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label="Amount at least", max_value=AMOUNT_FILTER_MAX
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label="Amount at most", max_value=AMOUNT_FILTER_MAX
    )
    min_days_in_stage = django_filters.NumberFilter(
        method="filter_min_days",
        label="At least this many days in stage",
        min_value=0,
        max_value=DAYS_FILTER_MAX,
    )
    ordering = StableOrderingFilter(
        fields=(
            ("amount", "amount"),
            ("stage_entered_at", "entered"),
            ("created_at", "opened"),
            ("stage_order", "stage"),
            ("proposal__title", "title"),
        ),
        field_labels={
            "amount": "Amount",
            "entered": "Entered stage",
            "opened": "Opened",
            "stage": "Stage",
            "title": "Title",
        },
        label="Sort by",
    )

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_group(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(stage__in=STAGE_GROUPS[value]) if value in STAGE_GROUPS else queryset

    def filter_min_days(self, queryset: QuerySet[Deal], name: str, value: Decimal) -> QuerySet[Deal]:
        return queryset.filter(stage_entered_at__lte=timezone.now() - timedelta(days=int(value)))


# The pipeline's order, on the page, in the API and in its CSV: designated priority packages first
# (proposals.evaluation), then stage order and time in stage, read from the index deal_pipeline_order
# (the API once sorted without the priority, and so sorted all 70,000 deals for a page: issue 16).
PIPELINE_ORDER = ("-priority", "stage_order", "stage_entered_at", "pk")


def pipeline_in_order(user: Any) -> QuerySet[Deal]:
    """The deals the user may see, with what a row shows, in the pipeline's order."""
    return pipeline_queryset(user).order_by(*PIPELINE_ORDER)


def deal_pipeline(user: Any, params: Any) -> DealFilter:
    """The filtered pipeline; `.qs` is the queryset, `.form` the bound form with any errors."""
    return DealFilter(params, queryset=pipeline_in_order(user))


def stage_benchmarks() -> dict[str, dict[str, int]]:
    return ProgramSettings.current().deal_stage_benchmark_days or {}


@dataclass(frozen=True)
class StageClock:
    days: int
    benchmark: int | None

    @property
    def over(self) -> bool:
        return self.benchmark is not None and self.days > self.benchmark


def stage_clock(
    deal: Any, benchmarks: dict[str, dict[str, int]], *, now: datetime | None = None
) -> StageClock:
    """The clock of a Deal, or of a pipeline row (pipeline_rows), which carries the term class as an
    annotation (its terms are not read): used as is."""
    term = deal.term_class_value if hasattr(deal, "term_class_value") else deal.term_class
    return _clock(deal.stage, deal.stage_entered_at, term, benchmarks, now or timezone.now())


def _clock(
    stage: str, entered: datetime, term: str | None, benchmarks: dict[str, dict[str, int]], now: datetime
) -> StageClock:
    """Days in stage and this stage's benchmark for the deal's type (long-term when not yet known)."""
    benchmark = None if stage in DEAL_END_STAGES else (benchmarks.get(term or "long") or {}).get(stage)
    return StageClock(days=(now - entered) // timedelta(days=1), benchmark=benchmark)


CSV_HEADER = [
    "deal_id",
    "proposal",
    "consortium",
    "stage",
    "days_in_stage",
    "stage_benchmark_days",
    "destination",
    "region",
    "product",
    "amount_usd",
    "financed_max_usd",
    "tenor_years",
    "term_class",
    "opened",
    "target_final_commitment_on",
    "target_closing_on",
]


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


# What a pipeline row reads (web table and CSV), as plain values: a model instance per row (four with
# the joined proposal, consortium and country) took most of the page's and the export's time. Financed
# amount and term class are pipeline_queryset's annotations.
PIPELINE_COLUMNS = (
    "pk",
    "proposal__title",
    "proposal__consortium__name",
    "stage",
    "stage_entered_at",
    "destination__name",
    "destination__region",
    "product",
    "amount",
    "financed_amount",
    "tenor_years",
    "term_class_value",
    "created_at",
    "target_final_commitment_on",
    "target_closing_on",
    "proposal_id",
    "destination_id",
)


# A pipeline row: `row.pk`, `row.proposal__title`, ... (the columns above, plain values).
PipelineRow = namedtuple("PipelineRow", PIPELINE_COLUMNS)

# A page's rows by its keys, compiled once a process: who sees which deal, the filters and the order
# are the keys' query's (pipeline_in_order, DealFilter). Built and compiled with them on every
# request, the rows' joins and annotations cost about as much CPU as the page's SQL (issue 16).
_PIPELINE_ROWS = KeyedStatement(lambda: _with_row_columns(Deal.objects.all()).values_list(*PIPELINE_COLUMNS))


def pipeline_rows(keys: Sequence[int]) -> list[PipelineRow]:
    """The pipeline's rows for these deal keys, in their order (a key without a row left out)."""
    by_key = {values[0]: PipelineRow(*values) for values in _PIPELINE_ROWS.rows(keys)}
    return [by_key[key] for key in keys if key in by_key]


class PipelinePaginator(DeferredJoinPaginator):
    """Pages of the pipeline (web and API): the keys with the total, then their rows (pipeline_rows)."""

    keyed_rows = staticmethod(pipeline_rows)


def pipeline_csv_lines(queryset: QuerySet[Deal]) -> Iterator[str]:
    """The CSV, one line at a time, reading the rows in chunks: memory stays flat however many."""
    writer = csv.writer(_Echo())
    benchmarks = stage_benchmarks()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    stage_labels = dict(DealStage.choices)
    product_labels = dict(EximProduct.choices)
    yield writer.writerow(CSV_HEADER)
    rows = queryset.values_list(*PIPELINE_COLUMNS).iterator(chunk_size=CSV_CHUNK_SIZE)
    for (
        pk,
        title,
        consortium,
        stage,
        entered,
        destination,
        region,
        product,
        amount,
        financed,
        tenor,
        term,
        created,
        target_commitment,
        target_closing,
        _proposal_id,
        _destination_id,
    ) in rows:
        clock = _clock(stage, entered, term, benchmarks, now)
        yield writer.writerow(
            [
                pk,
                csv_cell_safe(title),
                csv_cell_safe(consortium),
                stage_labels.get(stage, stage),
                clock.days,
                "" if clock.benchmark is None else clock.benchmark,
                destination or "",
                region or "",
                product_labels.get(product, product),
                amount,
                financed or "",
                "" if tenor is None else tenor,
                term or "",
                created.astimezone(tz).date().isoformat(),
                target_commitment.isoformat() if target_commitment else "",
                target_closing.isoformat() if target_closing else "",
            ]
        )


# --- The ceiling dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    total: Decimal
    width: int  # 0..BAR_WIDTH, proportional to the largest total in its chart


BAR_WIDTH = 200
# The narrowest a bar for a non-zero amount is drawn, in the chart's units: a $10M deal beside a $1B
# one, or a pipeline of millions under a ceiling of billions, must still show (its figure says how much).
MIN_BAR_WIDTH = 3


def _visible(width: float, amount: Decimal) -> int:
    return max(MIN_BAR_WIDTH, int(width)) if amount > 0 else 0


def _bars(rows: list[tuple[str, str, int, Decimal]]) -> list[Bar]:
    top = max((total for *_, total in rows), default=Decimal("0"))
    return [
        Bar(key, label, count, total, _visible(total * BAR_WIDTH / top, total) if top else 0)
        for key, label, count, total in rows
    ]


CEILING_BAR_WIDTH = 600


def _ceiling_bars(views: list[exposure.CeilingView]) -> list[dict[str, Any]]:
    """Stacked bars on one scale (the largest ceiling): exposure, then pipeline, then what is left."""
    scale = max((v.ceiling for v in views), default=Decimal("0")) or Decimal("1")

    def w(amount: Decimal) -> int:
        return _visible(amount * CEILING_BAR_WIDTH / scale, amount)

    bars = []
    for v in views:
        used = min(v.exposure, v.ceiling)
        pipe = min(v.pipeline, max(v.ceiling - used, Decimal("0")))
        ceiling = w(v.ceiling)
        used_w, pipe_w = w(used), w(pipe)
        # A segment drawn wider than its share is taken from what is left, so the bar keeps its length.
        free_w = max(0, ceiling - used_w - pipe_w) if v.ceiling - used - pipe > 0 else 0
        bars.append(
            {
                "view": v,
                "used": used_w,
                "pipeline_x": used_w,
                "pipeline": pipe_w,
                "free_x": used_w + pipe_w,
                "free": free_w,
                "ceiling": ceiling,
                # The pipeline is drawn wider than its share (else it would not show at this scale).
                "pipeline_magnified": pipe > 0 and pipe_w > pipe * CEILING_BAR_WIDTH / scale,
            }
        )
    return bars


def exim_dashboard() -> dict[str, Any]:
    """Headroom under each ceiling and the pipeline by stage, destination region and product."""
    program = ProgramSettings.current()
    active = Deal.objects.exclude(stage__in=DEAL_END_STAGES).order_by()
    pending = active.filter(stage__in=DEAL_PIPELINE_STAGES)
    by_stage = dict(
        (stage, (n, total))
        for stage, n, total in active.values_list("stage").annotate(n=Count("pk"), t=Sum("amount"))
    )
    committed = sum(
        (total for stage, (_, total) in by_stage.items() if stage in DEAL_COMMITTED_STAGES), Decimal("0")
    )
    pipeline = sum(
        (total for stage, (_, total) in by_stage.items() if stage in DEAL_PIPELINE_STAGES), Decimal("0")
    )
    regions = pending.values_list("destination__region").annotate(n=Count("pk"), t=Sum("amount"))
    products = pending.values_list("product").annotate(n=Count("pk"), t=Sum("amount"))
    product_labels = dict(EximProduct.choices)
    ceilings = exposure.ceiling_views(
        committed=committed, pipeline=pipeline, rules=exposure.CeilingRules.from_program(program)
    )
    return {
        "program": program,
        "committed": committed,
        "pipeline": pipeline,
        "pipeline_count": sum(n for stage, (n, _) in by_stage.items() if stage in DEAL_PIPELINE_STAGES),
        "ceilings": ceilings,
        "ceiling_bars": _ceiling_bars(ceilings),
        "by_stage": _bars(
            [(s.value, s.label, *by_stage[s]) for s in DealStage if s in by_stage]  # in stage order
        ),
        "by_region": _bars(
            sorted(((r or "", r or "Unknown", n, t) for r, n, t in regions), key=lambda row: -row[3])
        ),
        "by_product": _bars(
            sorted(
                ((p, product_labels.get(p, p or "None"), n, t) for p, n, t in products),
                key=lambda row: -row[3],
            )
        ),
    }


def deal_timeline(deal: Deal) -> QuerySet[AuditEvent]:
    """The deal's stage history and target-date changes, each with its reason."""
    return AuditEvent.objects.filter(proposal_id=deal.proposal_id, subject="deal").select_related("actor")


def access_deal(user: Any, pk: Any) -> Deal:
    """The deal `pk` if the user may see it (EXIM officers and program staff); otherwise a 404."""
    visible = deals_visible_to(user).select_related("proposal__consortium", "destination")
    return access(user, visible, pk, perm="proposals.view_deal", hide_refusal=True)


# --- Work EXIM owes (intake.workflow.OWED_WORK; the sweeper resends it) ----------------------------


def owed_deal_opening(*, older_than: datetime) -> QuerySet[Proposal]:
    """In review with no deal."""
    return Proposal.objects.filter(
        status=ProposalStatus.IN_REVIEW, status_changed_at__lt=older_than, deal__isnull=True
    ).order_by("status_changed_at", "pk")


def owed_terms(*, older_than: datetime) -> QuerySet[Deal]:
    """Deals before final commitment whose terms are not from the proposal's current revision."""
    return (
        Deal.objects.filter(stage__in=PRE_COMMITMENT, updated_at__lt=older_than)
        .exclude(terms_revision=F("proposal__revision_number"))
        .order_by("updated_at", "pk")
    )


def owed_deal_follow(*, older_than: datetime) -> QuerySet[Proposal]:
    """Withdrawn or declined proposals whose deal is still before final commitment."""
    return Proposal.objects.filter(
        status__in=(ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED),
        status_changed_at__lt=older_than,
        deal__stage__in=PRE_COMMITMENT,
    ).order_by("status_changed_at", "pk")
