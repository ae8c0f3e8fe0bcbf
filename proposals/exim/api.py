"""EXIM API: the pipeline (filtered, sorted, paginated, or streamed as CSV), a deal with its terms and
timeline, stage moves, target dates, and the ceiling figures. One view per operation; services decide.
"""

from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.commerce.selectors import Clearance, commerce_clearance
from proposals.core.api.fields import text_input
from proposals.core.api.filters import StrictFilterBackend
from proposals.core.api.permissions import RulePermission
from proposals.core.enums import DealStage, EximProduct
from proposals.core.models.reference import ProgramSettings
from proposals.core.pagination import DeferredJoinPagination
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.exim import services as exim_service
from proposals.exim.models import TARGET_DATE_FIELDS, Deal
from proposals.exim.selectors import (
    DealFilter,
    PipelinePaginator,
    access_deal,
    deal_timeline,
    exim_dashboard,
    pipeline_csv_lines,
    pipeline_in_order,
    stage_clock,
)
from proposals.exim.workflow import DEAL_TRANSITIONS


# A deal's list figures, read from a Deal: the detail's base (the list reads rows, DealListOutput).
class DealOutput(serializers.ModelSerializer):
    title = serializers.CharField(source="proposal.title")
    consortium = serializers.CharField(source="proposal.consortium.name")
    stage_label = serializers.CharField(source="get_stage_display")
    destination = serializers.CharField(source="destination_id", allow_null=True)
    region = serializers.SerializerMethodField()
    financed_max = serializers.SerializerMethodField()
    term_class = serializers.SerializerMethodField()
    days_in_stage = serializers.SerializerMethodField()
    benchmark_days = serializers.SerializerMethodField()
    over_benchmark = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "proposal_id",
            "title",
            "consortium",
            "stage",
            "stage_label",
            "stage_entered_at",
            "days_in_stage",
            "benchmark_days",
            "over_benchmark",
            "destination",
            "region",
            "product",
            "amount",
            "financed_max",
            "tenor_years",
            "term_class",
            "target_final_commitment_on",
            "target_closing_on",
            "created_at",
        ]

    def _clock(self, deal: Deal) -> Any:
        # Three fields read the clock: compute it once a row.
        clock = deal.__dict__.get("_stage_clock")
        if clock is None:
            clock = deal.__dict__["_stage_clock"] = stage_clock(
                deal, self.context["benchmarks"], now=self.context["now"]
            )
        return clock

    def get_region(self, deal: Deal) -> str:
        return deal.destination.region if deal.destination else ""

    def get_financed_max(self, deal: Deal) -> str | None:
        if hasattr(deal, "financed_amount"):  # pipeline rows: annotated, terms deferred
            return deal.financed_amount
        return (deal.terms or {}).get("financed_amount")

    def get_term_class(self, deal: Deal) -> str:
        return (deal.term_class_value if hasattr(deal, "term_class_value") else deal.term_class) or ""

    def get_days_in_stage(self, deal: Deal) -> int:
        return self._clock(deal).days

    def get_benchmark_days(self, deal: Deal) -> int | None:
        return self._clock(deal).benchmark

    def get_over_benchmark(self, deal: Deal) -> bool:
        return self._clock(deal).over


# Reads pipeline rows (named tuples from pipeline_rows), so the list builds no model instances: a
# deal, its proposal, consortium and country for every row cost more than the rest of the page. The
# same fields and formats as DealOutput, which the detail extends.
class DealListOutput(serializers.Serializer):
    """A deal in the pipeline: its stage, time in stage against the benchmark, and its figures."""

    id = serializers.IntegerField(source="pk", read_only=True)
    proposal_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(source="proposal__title")
    consortium = serializers.CharField(source="proposal__consortium__name")
    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)
    stage_label = serializers.SerializerMethodField()
    stage_entered_at = serializers.DateTimeField(required=False)
    days_in_stage = serializers.SerializerMethodField()
    benchmark_days = serializers.SerializerMethodField()
    over_benchmark = serializers.SerializerMethodField()
    destination = serializers.CharField(source="destination_id", allow_null=True)
    region = serializers.SerializerMethodField()
    product = serializers.ChoiceField(choices=EximProduct.choices, allow_blank=True, required=False)
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, label="EXIM amount (USD)", required=False
    )
    financed_max = serializers.CharField(source="financed_amount", allow_null=True, read_only=True)
    tenor_years = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, required=False)
    term_class = serializers.SerializerMethodField()
    target_final_commitment_on = serializers.DateField(allow_null=True, required=False)
    target_closing_on = serializers.DateField(allow_null=True, required=False)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row: Any) -> dict[str, Any]:
        # Three fields read the clock: compute it once a row.
        self._row_clock = stage_clock(row, self.context["benchmarks"], now=self.context["now"])
        return super().to_representation(row)

    def get_stage_label(self, row: Any) -> str:
        return DealStage(row.stage).label if row.stage in DealStage.values else row.stage

    def get_days_in_stage(self, row: Any) -> int:
        return self._row_clock.days

    def get_benchmark_days(self, row: Any) -> int | None:
        return self._row_clock.benchmark

    def get_over_benchmark(self, row: Any) -> bool:
        return self._row_clock.over

    def get_region(self, row: Any) -> str:
        return row.destination__region or ""

    def get_term_class(self, row: Any) -> str:
        return row.term_class_value or ""


class TimelineOutput(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    from_stage = serializers.CharField(source="from_state")
    to_stage = serializers.CharField(source="to_state")
    reason = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    data = serializers.JSONField()


class DealDetailOutput(DealOutput):
    terms = serializers.JSONField()
    notification_ends_at = serializers.DateTimeField(allow_null=True)
    timeline = serializers.SerializerMethodField()
    commerce_blockers = serializers.SerializerMethodField()
    commerce_cleared = serializers.SerializerMethodField()
    commerce_cleared_at = serializers.SerializerMethodField()
    commitment_blockers = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(DealOutput.Meta):
        fields = [
            *DealOutput.Meta.fields,
            "terms",
            "terms_revision",
            "terms_computed_at",
            "notification_ends_at",
            "commerce_blockers",
            "commerce_cleared",
            "commerce_cleared_at",
            "commitment_blockers",
            "actions",
            "timeline",
        ]

    def get_timeline(self, deal: Deal) -> list[dict[str, Any]]:
        return TimelineOutput(deal_timeline(deal), many=True).data

    def _clearance(self, deal: Deal) -> Clearance:
        cache = self.context.setdefault("clearance", {})
        if deal.proposal_id not in cache:
            cache[deal.proposal_id] = commerce_clearance(proposal_id=deal.proposal_id)
        return cache[deal.proposal_id]

    def get_commerce_blockers(self, deal: Deal) -> list[str]:
        """Why Commerce has not cleared the proposal (commerce.selectors.commerce_clearance)."""
        return self._clearance(deal).reasons

    def get_commerce_cleared(self, deal: Deal) -> bool:
        return self._clearance(deal).cleared

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_commerce_cleared_at(self, deal: Deal) -> datetime | None:
        return self._clearance(deal).cleared_at

    def get_actions(self, deal: Deal) -> list[dict[str, str]]:
        return [
            {"action": t.action, "label": t.label, "target": t.target}
            for t in exim_service.allowed_transitions(
                deal, self.context["user"], program=self.context["program"]
            )
        ]

    def get_commitment_blockers(self, deal: Deal) -> list[str]:
        """Why final commitment is not possible now (empty when it is, or when it is not the next step)."""
        actions = exim_service.allowed_transitions(
            deal, self.context["user"], program=self.context["program"]
        )
        if not any(t.action == "authorize" for t in actions):
            return []
        return exim_service.final_commitment_blockers(deal, program=self.context["program"])


def _context(request: Request) -> dict[str, Any]:
    program = ProgramSettings.current()
    return {
        "user": request.user,
        "program": program,
        "benchmarks": program.deal_stage_benchmark_days or {},
        "now": timezone.now(),
    }


class PipelinePagination(DeferredJoinPagination):
    """Pages of pipeline rows (named tuples, pipeline_rows) from the deferred join."""

    paginator_class = PipelinePaginator


class DealListApi(generics.ListAPIView):
    """The pipeline: filter by stage, group, region, product, amount, days in stage; sort with `ordering`."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.view_deal"
    serializer_class = DealListOutput
    pagination_class = PipelinePagination
    filter_backends = [StrictFilterBackend]
    filterset_class = DealFilter

    def get_queryset(self) -> Any:
        return pipeline_in_order(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_context(self.request)}


class DealCsvApi(generics.GenericAPIView):
    """The filtered pipeline as CSV, streamed in chunks (memory stays flat however many rows)."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.view_deal"
    filter_backends = [StrictFilterBackend]
    filterset_class = DealFilter
    serializer_class = DealListOutput

    def get_queryset(self) -> Any:
        return pipeline_in_order(self.request.user)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request) -> StreamingHttpResponse:
        qs = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(pipeline_csv_lines(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="exim-pipeline-{timezone.localdate()}.csv"'
        return response


class DealDetailApi(APIView):
    """One deal: its stage, computed terms, timeline and what still holds it on the Commerce side."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.view_deal"

    @extend_schema(responses=DealDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DealDetailOutput(access_deal(request.user, pk), context=_context(request)).data)


class DealTransitionApi(APIView):
    """Move the deal's stage; a reason is required. Refusals come back as 409 with the reasons."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.change_deal"

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "DealTransitionInput"

        action = serializers.ChoiceField(choices=list(DEAL_TRANSITIONS))
        reason = text_input(NOTE_MAX_CHARS, multiline=True)

    @extend_schema(request=Input, responses=DealDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        deal = access_deal(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        exim_service.deal_transition(deal_id=deal.pk, actor=request.user, **data.validated_data)
        return Response(DealDetailOutput(access_deal(request.user, pk), context=_context(request)).data)


class DealTargetDateApi(APIView):
    """Set or clear a target date; a reason is required and recorded in the timeline."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.change_deal"

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "DealTargetDateInput"

        field = serializers.ChoiceField(choices=list(TARGET_DATE_FIELDS))
        date = serializers.DateField(allow_null=True)
        reason = text_input(NOTE_MAX_CHARS, multiline=True)

    @extend_schema(request=Input, responses=DealDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        deal = access_deal(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        exim_service.deal_set_target_date(
            deal_id=deal.pk, field=v["field"], value=v["date"], actor=request.user, reason=v["reason"]
        )
        return Response(DealDetailOutput(access_deal(request.user, pk), context=_context(request)).data)


class ExposureApi(APIView):
    """The ceiling dashboard figures: headroom per ceiling; the pipeline by stage, region, product."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = "proposals.view_exim_dashboard"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        d = exim_dashboard()

        def bars(rows: list[Any]) -> list[dict[str, Any]]:
            return [{"key": b.key, "label": b.label, "count": b.count, "total": str(b.total)} for b in rows]

        return Response(
            {
                "outstanding_exposure": str(d["program"].outstanding_exposure),
                "committed": str(d["committed"]),
                "pipeline": str(d["pipeline"]),
                "pipeline_count": d["pipeline_count"],
                "ceilings": [
                    {
                        "label": c.label,
                        "ceiling": str(c.ceiling),
                        "exposure": str(c.exposure),
                        "headroom": str(c.headroom),
                        "after_pipeline": str(c.after_pipeline),
                        "pipeline_fits": c.pipeline_fits,
                    }
                    for c in d["ceilings"]
                ],
                "by_stage": bars(d["by_stage"]),
                "by_region": bars(d["by_region"]),
                "by_product": bars(d["by_product"]),
            }
        )


urlpatterns = [
    path("deals/", DealListApi.as_view(), name="api-exim-deals"),
    path("deals.csv", DealCsvApi.as_view(), name="api-exim-deals-csv"),
    path("deals/<int:pk>/", DealDetailApi.as_view(), name="api-exim-deal"),
    path("deals/<int:pk>/transitions/", DealTransitionApi.as_view(), name="api-exim-deal-transition"),
    path("deals/<int:pk>/target-dates/", DealTargetDateApi.as_view(), name="api-exim-deal-target-date"),
    path("exposure/", ExposureApi.as_view(), name="api-exim-exposure"),
]
