"""Evaluation API: panels (form, read, move), conflict declarations, score sheets, the summary, the
determination; and the public register (no sign-in). One view per operation; services decide."""

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.errors import error_responses
from proposals.core.api.fields import text_input
from proposals.core.api.permissions import RulePermission
from proposals.core.policy.text import NOTE_MAX_CHARS, SECTION_MAX_CHARS
from proposals.evaluation import services
from proposals.evaluation.models import Panel, PanelMember, Score
from proposals.evaluation.policy.reports import OUTCOMES, STAGES
from proposals.evaluation.selectors import (
    access_call_report,
    access_panel,
    aggregate_visible_to,
    call_report,
    panel_clock,
    panel_list_for,
    register_entries,
    scores_visible_to,
)
from proposals.evaluation.workflow import DETERMINATIONS, PANEL_TRANSITIONS

WORKSPACE = "proposals.evaluation_workspace"
REPORTS = "proposals.view_call_reports"


class PanelMemberOutput(serializers.ModelSerializer):
    evaluator = serializers.CharField(source="evaluator.username")
    declared = serializers.SerializerMethodField()
    recused = serializers.BooleanField()
    submitted = serializers.SerializerMethodField()

    class Meta:
        model = PanelMember
        fields = ["id", "agency", "evaluator", "declared", "recused", "submitted"]

    def get_declared(self, member: PanelMember) -> bool:
        return member.has_conflict is not None

    def get_submitted(self, member: PanelMember) -> bool:
        return member.submitted_at is not None


class ScoreOutput(serializers.ModelSerializer):
    agency = serializers.CharField(source="member.agency")
    evaluator = serializers.CharField(source="member.evaluator.username")
    criterion = serializers.CharField(source="criterion.code")

    class Meta:
        model = Score
        fields = ["agency", "evaluator", "criterion", "value", "comment"]


class CriterionResultOutput(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    spread = serializers.IntegerField(allow_null=True)
    disagreement = serializers.BooleanField()


class AggregateOutput(serializers.Serializer):
    criteria = CriterionResultOutput(many=True)
    weighted_mean_total = serializers.DecimalField(max_digits=8, decimal_places=2)
    weighted_median_total = serializers.DecimalField(max_digits=8, decimal_places=2)
    disagreement = serializers.BooleanField()
    sheets = serializers.IntegerField()
    complete = serializers.BooleanField()


class PanelOutput(serializers.ModelSerializer):
    title = serializers.CharField(source="proposal.title")
    consortium = serializers.CharField(source="proposal.consortium.name")
    status_label = serializers.CharField(source="get_status_display")
    days_in_stage = serializers.SerializerMethodField()
    members = PanelMemberOutput(many=True)
    scores = serializers.SerializerMethodField()
    aggregate = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = [
            "id",
            "proposal_id",
            "title",
            "consortium",
            "status",
            "status_label",
            "stage_entered_at",
            "days_in_stage",
            "members",
            "scores",
            "aggregate",
            "summary",
            "public_summary",
            "determination_reason",
            "determined_at",
            "designated_at",
        ]

    def _user(self) -> Any:
        return self.context["request"].user

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_in_stage(self, panel: Panel) -> int | None:
        return panel_clock(panel)

    @extend_schema_field(ScoreOutput(many=True))
    def get_scores(self, panel: Panel) -> list[dict[str, Any]]:
        return ScoreOutput(scores_visible_to(panel, self._user()), many=True).data

    @extend_schema_field(AggregateOutput(allow_null=True))
    def get_aggregate(self, panel: Panel) -> dict[str, Any] | None:
        result = aggregate_visible_to(panel, self._user())
        return AggregateOutput(result).data if result is not None else None


class PanelListOutput(serializers.ModelSerializer):
    title = serializers.CharField(source="proposal.title")
    consortium = serializers.CharField(source="proposal.consortium.name")
    status_label = serializers.CharField(source="get_status_display")
    days_in_stage = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = ["id", "proposal_id", "title", "consortium", "status", "status_label", "days_in_stage"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_in_stage(self, panel: Panel) -> int | None:
        return panel_clock(panel)


def _detail(request: Request, pk: int) -> Response:
    panel = access_panel(request.user, pk)
    return Response(PanelOutput(panel, context={"request": request}).data)


class PanelListApi(APIView):
    """Panels the caller may open; the program officer forms one (POST: the suggestion, or the members
    chosen)."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = WORKSPACE

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "PanelFormInput"

        proposal_id = serializers.IntegerField()
        evaluator_ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    @extend_schema(responses=PanelListOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(PanelListOutput(panel_list_for(request.user)[:500], many=True).data)

    @extend_schema(request=Input, responses={201: PanelOutput, **error_responses(400, 403, 404, 409)})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        panel = services.panel_form(
            proposal_id=data.validated_data["proposal_id"],
            actor=request.user,
            evaluator_ids=data.validated_data.get("evaluator_ids"),
        )
        return Response(
            PanelOutput(access_panel(request.user, panel.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PanelDetailApi(APIView):
    """One panel as the caller may see it: members, the stage clock, the scores and aggregate the
    blind-scoring rule lets them read, the summary and the determination."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = WORKSPACE

    @extend_schema(responses={200: PanelOutput, **error_responses(404)})
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


class PanelActionApi(APIView):
    """The one shape of an action on a panel: check the caller may act on it (`perm`), parse `Input`,
    call the service (`act`), answer with the panel as the caller now sees it (`respond`)."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = WORKSPACE
    perm = "proposals.run_panel"
    Input: type[serializers.Serializer]
    service: Any  # staticmethod(services.<noun>_<verb>), called with the input as it is

    def act(self, request: Request, panel: Panel, data: dict[str, Any]) -> Any:
        return self.service(panel_id=panel.pk, actor=request.user, **data)

    def respond(self, request: Request, panel: Panel, result: Any) -> Response:
        return _detail(request, panel.pk)

    def post(self, request: Request, pk: int) -> Response:
        panel = access_panel(request.user, pk, perm=self.perm)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(request, panel, self.act(request, panel, data.validated_data))


class PanelTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a for a in PANEL_TRANSITIONS if a not in DETERMINATIONS])
    reason = text_input(NOTE_MAX_CHARS, multiline=True, required=False, allow_blank=True, default="")


class ConflictDeclarationInput(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    statement = text_input(NOTE_MAX_CHARS, multiline=True, required=False, allow_blank=True, default="")


class ScoreInput(serializers.Serializer):
    criterion = serializers.CharField(max_length=60)
    value = serializers.IntegerField()
    comment = text_input(NOTE_MAX_CHARS, multiline=True)


class ScoreSheetInput(serializers.Serializer):
    scores = ScoreInput(many=True, max_length=100)
    submit = serializers.BooleanField(default=False)


class PanelSummaryInput(serializers.Serializer):
    summary = text_input(SECTION_MAX_CHARS, multiline=True)
    public_summary = text_input(NOTE_MAX_CHARS, multiline=True, required=False, allow_blank=True, default="")


class DeterminationInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(DETERMINATIONS))
    reason = text_input(NOTE_MAX_CHARS, multiline=True)


ACTION_ERRORS = error_responses(400, 403, 404, 409)


@extend_schema(request=PanelTransitionInput, responses={200: PanelOutput, **ACTION_ERRORS})
class PanelTransitionApi(PanelActionApi):
    """The officer moves the panel: convene, open or close scoring early, reconsider a deferral."""

    Input = PanelTransitionInput
    service = staticmethod(services.panel_transition)


@extend_schema(request=ConflictDeclarationInput, responses={200: PanelMemberOutput, **ACTION_ERRORS})
class ConflictDeclarationApi(PanelActionApi):
    """A member declares conflicts of interest, once; a declared conflict recuses them (the panel and the
    proposal are then a 404 for them), so the answer is their own seat, not the panel."""

    perm = "proposals.declare_conflict"
    Input = ConflictDeclarationInput
    service = staticmethod(services.conflict_declare)

    def respond(self, request: Request, panel: Panel, result: Any) -> Response:
        return Response(PanelMemberOutput(result).data)


@extend_schema(request=ScoreSheetInput, responses={200: PanelOutput, **ACTION_ERRORS})
class ScoreSheetApi(PanelActionApi):
    """A member's scores, one per criterion with a comment; `submit` makes the sheet final. Until then
    the answer shows only the member's own scores (blind scoring)."""

    perm = "proposals.score_panel"
    Input = ScoreSheetInput

    def act(self, request: Request, panel: Panel, data: dict[str, Any]) -> Any:
        scores = {
            row["criterion"]: {"value": row["value"], "comment": row["comment"]} for row in data["scores"]
        }
        return services.score_sheet_save(
            panel_id=panel.pk, actor=request.user, scores=scores, submit=data["submit"]
        )


@extend_schema(request=PanelSummaryInput, responses={200: PanelOutput, **ACTION_ERRORS})
class PanelSummaryApi(PanelActionApi):
    """The officer's panel summary (internal) and the public summary the register shows."""

    Input = PanelSummaryInput
    service = staticmethod(services.panel_summary_record)


@extend_schema(request=DeterminationInput, responses={200: PanelOutput, **ACTION_ERRORS})
class DeterminationApi(PanelActionApi):
    """The national-interest determination: designate, not_designate or defer, always with reasons."""

    Input = DeterminationInput
    service = staticmethod(services.panel_determine)


# --- The program's report on a call --------------------------------------------------------------


class ReportCallOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class OutcomeFigureOutput(serializers.Serializer):
    key = serializers.ChoiceField(choices=[key for key, _ in OUTCOMES])
    label = serializers.CharField()
    count = serializers.IntegerField()


class StageFigureOutput(serializers.Serializer):
    key = serializers.ChoiceField(choices=[stage[0] for stage in STAGES])
    label = serializers.CharField()
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    proposals = serializers.IntegerField(help_text="Proposals that have left the stage: the median's count.")
    in_stage_now = serializers.IntegerField()
    not_yet = serializers.CharField(help_text="Why there is no median yet (empty when there is one).")


class CallReportOutput(serializers.Serializer):
    call = ReportCallOutput()
    as_of = serializers.DateTimeField()
    drafts = serializers.IntegerField(help_text="Started and never submitted: not received.")
    received = serializers.IntegerField()
    outcomes = OutcomeFigureOutput(many=True)
    stages = StageFigureOutput(many=True)


class CallReportApi(APIView):
    """The program's report on one call: proposals received and where each stands (in intake, awaiting a
    panel, in evaluation, deferred, designated, not designated, declined, withdrawn: each counted once),
    and the median days per stage from the audit trail, with how many proposals are in each stage now.
    Program staff only. The same figures as the report page and its CSV."""

    permission_classes = [IsAuthenticated, RulePermission]
    required_perm = REPORTS

    @extend_schema(responses={200: CallReportOutput, **error_responses(403, 404)})
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallReportOutput(call_report(access_call_report(request.user, call_id))).data)


# --- The public register --------------------------------------------------------------------------


class RegisterMemberOutput(serializers.Serializer):
    name = serializers.CharField()
    layers = serializers.ListField(child=serializers.CharField())


class RegisterEntryOutput(serializers.Serializer):
    """Exactly the register's public fields (selectors.REGISTER_FIELDS)."""

    reference = serializers.CharField()
    title = serializers.CharField()
    consortium = serializers.CharField()
    members = RegisterMemberOutput(many=True)
    target_countries = serializers.ListField(child=serializers.CharField())
    designated_on = serializers.DateField()
    public_summary = serializers.CharField()
    call = serializers.CharField()


class RegisterApi(APIView):
    """The public register of priority AI export packages: no sign-in."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=RegisterEntryOutput(many=True), auth=[])
    def get(self, request: Request) -> Response:
        return Response(RegisterEntryOutput([e.public() for e in register_entries()], many=True).data)


urlpatterns = [
    path("panels/", PanelListApi.as_view(), name="api-panel-list"),
    path("panels/<int:pk>/", PanelDetailApi.as_view(), name="api-panel-detail"),
    path("panels/<int:pk>/transition/", PanelTransitionApi.as_view(), name="api-panel-transition"),
    path("panels/<int:pk>/conflicts/", ConflictDeclarationApi.as_view(), name="api-panel-conflicts"),
    path("panels/<int:pk>/scores/", ScoreSheetApi.as_view(), name="api-panel-scores"),
    path("panels/<int:pk>/summary/", PanelSummaryApi.as_view(), name="api-panel-summary"),
    path("panels/<int:pk>/determination/", DeterminationApi.as_view(), name="api-panel-determination"),
]
