"""The Commerce review API: the queue, a proposal's Commerce track, decisions, adjudication, RFIs, assignment.

One view per operation: parse the input, call the service, serialize the output. Application errors
become the stable JSON body through `proposals.core.api.errors.exception_handler`.
"""

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.commerce.models import InformationRequest, LicenseGate, ScreeningHit
from proposals.commerce.selectors import (
    COMMERCE_ONLY,
    CommerceQueueFilter,
    CommerceQueuePagination,
    QueueRow,
    access_commerce_proposal,
    access_information_request,
    commerce_proposals_for,
    commerce_queue_for,
    commerce_track,
    information_requests_of,
)
from proposals.commerce.services.review import (
    gate_decide,
    gates_decide_bulk,
    hit_adjudicate,
    information_request_answer,
    information_request_create,
    review_assign,
    review_auto_assign,
)
from proposals.commerce.services.screening import screening_request
from proposals.commerce.workflow import GATE_DECISIONS, HIT_ACTIONS
from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import error_responses
from proposals.core.api.fields import text_input
from proposals.core.api.filters import StrictFilterBackend
from proposals.core.api.parsers import JSONParser as NulSafeJSONParser
from proposals.core.api.parsers import MultiPartParser as NulSafeMultiPartParser
from proposals.core.api.permissions import RulePermission
from proposals.core.enums import ProposalStatus
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.revisions import ADDED, CHANGED, REMOVED

# --- Output serializers ---------------------------------------------------------------------------


class ClockSerializer(serializers.Serializer):
    days = serializers.IntegerField(source="clock_days")
    paused = serializers.BooleanField(source="clock_paused")
    flag = serializers.CharField(source="clock_flag")
    next_mark = serializers.CharField(source="clock_next_mark")
    days_to_mark = serializers.IntegerField(source="clock_days_to_mark", allow_null=True)
    registered_at = serializers.DateTimeField(allow_null=True)


# ClockSerializer's registered_at as the queue's rows write it (DRF's format and time zone), unbound:
# binding a serializer's fields builds them all from the model (~0.3 ms a request).
_REGISTERED_AT = serializers.DateTimeField()


class QueueRowSerializer(serializers.ModelSerializer):
    """One queue row. Nested fields are bound once per list, not built per row (25 rows a page)."""

    consortium = serializers.CharField(source="consortium.name")
    destinations = serializers.ListField(
        child=serializers.CharField(), source="queue_destinations", read_only=True
    )
    eccns = serializers.ListField(child=serializers.CharField(), source="queue_eccns", read_only=True)
    open_gates = serializers.IntegerField()
    blocking_gates = serializers.IntegerField()
    unresolved_hits = serializers.IntegerField()
    open_rfis = serializers.IntegerField()
    reviewer = serializers.CharField(
        source="commerce_review.reviewer.username", allow_null=True, read_only=True
    )
    clock = ClockSerializer(source="commerce_review", allow_null=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "consortium",
            "status",
            "revision_number",
            "destinations",
            "eccns",
            "open_gates",
            "blocking_gates",
            "unresolved_hits",
            "open_rfis",
            "reviewer",
            "clock",
        ]

    def to_representation(self, row: QueueRow) -> dict[str, Any]:
        """The row written out by hand, in the fields' order and with their formats (the fields above
        still describe it in the schema): DRF's field-by-field walk took about as long as the page's
        SQL (issue 16). The JSON is the same byte for byte (test_queue_row_json_is_the_fields')."""
        clock = None
        if row.has_review:
            clock = {
                "days": row.clock_days,
                "paused": row.clock_paused,
                "flag": row.clock_flag,
                "next_mark": row.clock_next_mark,
                "days_to_mark": row.clock_days_to_mark,
                "registered_at": None
                if row.registered_at is None
                else _REGISTERED_AT.to_representation(row.registered_at),
            }
        return {
            "id": row.pk,
            "title": row.title,
            "consortium": row.consortium_name,
            "status": row.status,
            "revision_number": row.revision_number,
            "destinations": row.queue_destinations,
            "eccns": row.queue_eccns,
            "open_gates": row.open_gates,
            "blocking_gates": row.blocking_gates,
            "unresolved_hits": row.unresolved_hits,
            "open_rfis": row.open_rfis,
            "reviewer": row.reviewer_username,
            "clock": clock,
        }


class GateSerializer(serializers.ModelSerializer):
    destination_name = serializers.CharField(source="destination.name")
    policy_version = serializers.IntegerField(source="policy_version.number")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = LicenseGate
        fields = [
            "id",
            "proposal",
            "eccn",
            "destination",
            "destination_name",
            "line_item_ids",
            "status",
            "rule_code",
            "rule_description",
            "policy_version",
            "conditions",
            "reason",
            "decided_by",
            "decided_at",
            "opened_at",
        ]


class HitSerializer(serializers.ModelSerializer):
    adjudicated_by = serializers.CharField(source="adjudicated_by.username", default=None, allow_null=True)
    entry_name = serializers.CharField(source="entry.name")
    entry_type = serializers.CharField(source="entry.type")
    entry_addresses = serializers.CharField(source="entry.addresses")

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "proposal",
            "subject_type",
            "subject_label",
            "screened_name",
            "matched_name",
            "entry_key",
            "entry_name",
            "entry_type",
            "entry_addresses",
            "source",
            "score",
            "exact",
            "list_version",
            "status",
            "adjudication_reason",
            "adjudicated_by",
            "adjudicated_at",
        ]


class RfiSerializer(serializers.ModelSerializer):
    asked_by = serializers.CharField(source="asked_by.username", default=None)
    is_open = serializers.BooleanField()

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "proposal",
            "question",
            "due_date",
            "asked_by",
            "asked_at",
            "asked_revision",
            "answer",
            "answered_at",
            "answered_revision",
            "is_open",
        ]


class DiffFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class DiffRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=f"{ADDED}, {REMOVED} or {CHANGED}.")
    key = serializers.JSONField(allow_null=True)
    label = serializers.CharField()
    fields = DiffFieldSerializer(many=True)


class DiffSectionSerializer(serializers.Serializer):
    """One section of `proposals.intake.policy.revisions.RevisionDiff` (its `as_dict()` shape)."""

    section = serializers.CharField()
    label = serializers.CharField()
    fields = DiffFieldSerializer(many=True)
    rows = DiffRowSerializer(many=True)


class ClearanceSerializer(serializers.Serializer):
    cleared = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why not cleared, each named.")
    cleared_at = serializers.DateTimeField(allow_null=True)


class TrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="proposal.pk")
    title = serializers.CharField(source="proposal.title")
    consortium = serializers.CharField(source="proposal.consortium.name")
    status = serializers.CharField(source="proposal.status")
    revision_number = serializers.IntegerField(source="proposal.revision_number")
    end_use = serializers.CharField(source="proposal.end_use")
    reviewer = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()
    sites = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    parties = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    gates = GateSerializer(many=True)
    hits = HitSerializer(many=True)
    rfis = RfiSerializer(many=True)
    diff = serializers.SerializerMethodField()
    background_delayed = serializers.ListField(
        source="delayed",
        child=serializers.CharField(),
        help_text="Automated work owed for longer than usual (recorded; it will run).",
    )
    clearance = ClearanceSerializer(help_text="Commerce clearance (commerce.selectors.commerce_clearance).")

    @extend_schema_field(DiffSectionSerializer(many=True))
    def get_diff(self, track: Any) -> list[dict[str, Any]]:
        """The latest revision's changes by section; empty when there is no earlier revision."""
        return track.diff.as_dict()["sections"] if track.diff else []

    def get_reviewer(self, track: Any) -> str | None:
        review = track.review
        return review.reviewer.get_username() if review and review.reviewer_id else None

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, track: Any) -> dict[str, Any] | None:
        return ClockSerializer(track.review).data if track.review else None

    def get_sites(self, track: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": s.pk,
                "name": s.name,
                "city": s.city,
                "country": s.country_id,
                "builder": s.builder,
                "owner": s.owner,
                "operator": s.operator,
            }
            for s in track.sites
        ]

    def get_items(self, track: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": i.pk,
                "layer": i.layer,
                "description": i.description,
                "manufacturer": i.manufacturer,
                "eccn": i.eccn,
                "quantity": i.quantity,
                "destination": i.site.country_id if i.site else None,
            }
            for i in track.items
        ]

    def get_parties(self, track: Any) -> list[dict[str, Any]]:
        return [{"id": p.pk, "role": p.role, "name": p.name, "country": p.country_id} for p in track.parties]

    def get_members(self, track: Any) -> list[dict[str, Any]]:
        return [
            {
                "company": m.company.legal_name,
                "role": m.role,
                "headquarters": m.company.principal_place_of_business_id,
                "ultimate_parent": m.company.ultimate_parent,
                "ultimate_parent_country": m.company.ultimate_parent_country_id,
            }
            for m in track.members
        ]


# --- Input serializers ----------------------------------------------------------------------------


class GateDecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(GATE_DECISIONS))
    reason = text_input(NOTE_MAX_CHARS, multiline=True)
    conditions = text_input(NOTE_MAX_CHARS, multiline=True, required=False, allow_blank=True, default="")


class BulkDecisionInput(GateDecisionInput):
    gates = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=500)
    preview = serializers.BooleanField(default=True)


class HitInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(HIT_ACTIONS))
    reason = text_input(NOTE_MAX_CHARS, multiline=True)


class RfiInput(serializers.Serializer):
    question = text_input(NOTE_MAX_CHARS, multiline=True)
    due_date = serializers.DateField()


class RfiAnswerInput(serializers.Serializer):
    answer = text_input(NOTE_MAX_CHARS, multiline=True)


class AssignInput(serializers.Serializer):
    reviewer = serializers.CharField(help_text='"me", "auto", or a Commerce reviewer\'s user id.')


class BulkRowSerializer(serializers.Serializer):
    gate_id = serializers.IntegerField()
    label = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


# --- Views ----------------------------------------------------------------------------------------


class QueueView(generics.ListAPIView):
    """Proposals awaiting Commerce, filtered and sorted by review clock (oldest first)."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY
    serializer_class = QueueRowSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = CommerceQueueFilter
    pagination_class = CommerceQueuePagination

    def get_queryset(self) -> Any:
        return commerce_queue_for(self.request.user)


class TrackView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY

    @extend_schema(
        description="The proposal's Commerce track: screening hits, license gates, clearance and the "
        "review clock.",
        responses=TrackSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        proposal = access_commerce_proposal(request.user, pk)
        return Response(TrackSerializer(commerce_track(proposal=proposal)).data)


# One reviewer decision on one gate or screening hit: load it, check the reviewer may review its
# proposal, parse the input, call the service (the one write path), serialize the result. Each
# subclass names its model, input, output and service; the schema follows from them. (Comments, not a
# docstring: drf-spectacular would copy a base class's docstring into every subclass's operation.)
class ReviewDecisionView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY
    model: type[LicenseGate | ScreeningHit]
    input_serializer: type[serializers.Serializer]
    output_serializer: type[serializers.Serializer]
    decide: Callable[..., Any]  # the service, called with `id_kwarg`=the object's id, actor and the input
    id_kwarg: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        extend_schema_view(post=extend_schema(request=cls.input_serializer, responses=cls.output_serializer))(
            cls
        )

    def post(self, request: Request, pk: int) -> Response:
        subject = get_object_or_404(self.model, pk=pk)
        access_commerce_proposal(request.user, subject.proposal_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = self.decide(**{self.id_kwarg: subject.pk}, actor=request.user, **data.validated_data)
        return Response(self.output_serializer(decided).data)


class GateDecideView(ReviewDecisionView):
    """Decide a license gate (approved, with conditions, denied, returned), with the reviewer's reason."""

    model = LicenseGate
    input_serializer = GateDecisionInput
    output_serializer = GateSerializer
    decide = staticmethod(gate_decide)
    id_kwarg = "gate_id"


class GateBulkView(APIView):
    """One decision on many gates. `preview` (default true) shows what would change and writes nothing."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY

    @extend_schema(request=BulkDecisionInput, responses=BulkRowSerializer(many=True))
    def post(self, request: Request) -> Response:
        data = BulkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        visible = set(
            LicenseGate.objects.filter(
                pk__in=v["gates"], proposal__in=commerce_proposals_for(request.user)
            ).values_list("pk", flat=True)
        )
        rows = gates_decide_bulk(
            gate_ids=[g for g in v["gates"] if g in visible],
            action=v["action"],
            actor=request.user,
            reason=v["reason"],
            conditions=v["conditions"],
            commit=not v["preview"],
        )
        return Response(BulkRowSerializer(rows, many=True).data)


class HitAdjudicateView(ReviewDecisionView):
    """Adjudicate a screening hit as a false positive or a confirmed match (or reopen it), with a reason."""

    model = ScreeningHit
    input_serializer = HitInput
    output_serializer = HitSerializer
    decide = staticmethod(hit_adjudicate)
    id_kwarg = "hit_id"


class RfiCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY

    @extend_schema(
        description="Ask the consortium a question (a request for information): the proposal returns "
        "to it, and the clock stops, until it resubmits.",
        request=RfiInput,
        responses={201: RfiSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        proposal = access_commerce_proposal(request.user, pk)
        data = RfiInput(data=request.data)
        data.is_valid(raise_exception=True)
        rfi = information_request_create(proposal_id=proposal.pk, actor=request.user, **data.validated_data)
        return Response(RfiSerializer(rfi).data, status=status.HTTP_201_CREATED)


class RfiAnswerView(APIView):
    """The consortium's note on an open question (editors of the proposal's consortium)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RfiAnswerInput, responses=RfiSerializer)
    def post(self, request: Request, pk: int) -> Response:
        rfi = get_object_or_404(InformationRequest.objects.select_related("proposal"), pk=pk)
        if not request.user.has_perm("proposals.view_proposal", rfi.proposal):
            raise permissions.exceptions.NotFound()
        data = RfiAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        rfi = information_request_answer(request_id=rfi.pk, actor=request.user, **data.validated_data)
        return Response(RfiSerializer(rfi).data)


class ScreenAgainView(APIView):
    """Screen the proposal again now (newest list, every current name); 202: the worker runs it."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY

    @extend_schema(
        request=None,
        responses={202: inline_serializer("ScreeningQueued", {"queued": serializers.BooleanField()})},
    )
    def post(self, request: Request, pk: int) -> Response:
        screening_request(proposal_id=access_commerce_proposal(request.user, pk).pk, actor=request.user)
        return Response({"queued": True}, status=202)


class AssignView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "proposals.commerce_workspace"
    refusal = COMMERCE_ONLY

    @extend_schema(
        description='Assign the proposal\'s Commerce reviewer: "me", "auto" (the least loaded) or a user id.',
        request=AssignInput,
        responses=inline_serializer("Assignment", {"reviewer": serializers.CharField(allow_null=True)}),
    )
    def post(self, request: Request, pk: int) -> Response:
        proposal = access_commerce_proposal(request.user, pk)
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        who = data.validated_data["reviewer"].strip().lower()
        if who == "auto":
            review = review_auto_assign(proposal_id=proposal.pk)
        else:
            # ASCII digits only ("²" is a digit to str.isdigit but not to int()), and no more than a
            # user id can have.
            if who != "me" and not (who.isascii() and who.isdigit() and len(who) <= 18):
                raise serializers.ValidationError({"reviewer": ['Give "me", "auto" or a user id.']})
            reviewer_id = request.user.pk if who == "me" else int(who)
            review = review_assign(proposal_id=proposal.pk, reviewer_id=reviewer_id, actor=request.user)
        name = review.reviewer.get_username() if review and review.reviewer_id else None
        return Response({"reviewer": name})


# --- Requests for information, for both sides (the consortium reads and answers) ---------------------


class InformationRequestAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The file in the proposal's documents API.")

    def get_url(self, doc: Any) -> str:
        return reverse("api-document-detail", kwargs={"proposal_id": doc.proposal_id, "pk": doc.pk})


class InformationRequestSerializer(serializers.ModelSerializer):
    """A request as both sides read it: who asked is the agency (reviewers change; the agency asked)."""

    asked_by_agency = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    days_left = serializers.IntegerField(read_only=True, help_text="Negative once the due date has passed.")
    clock_paused = serializers.SerializerMethodField(
        help_text="True while the proposal is with the consortium: the review clock stops until resubmission."
    )
    attachments = InformationRequestAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "proposal",
            "question",
            "asked_by_agency",
            "asked_at",
            "asked_revision",
            "due_date",
            "days_left",
            "is_open",
            "clock_paused",
            "answer",
            "attachments",
            "answered_at",
            "answered_revision",
        ]
        read_only_fields = fields

    def get_clock_paused(self, rfi: InformationRequest) -> bool:
        return rfi.is_open and rfi.proposal.status == ProposalStatus.RETURNED


class InformationAnswerInput(serializers.Serializer):
    answer = text_input(NOTE_MAX_CHARS, multiline=True)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Files (multipart/form-data, repeat the field), validated as document uploads; "
        "they join the proposal's documents.",
    )


@extend_schema(responses={200: InformationRequestSerializer(many=True), **error_responses(404)})
class InformationRequestListApi(ProposalScoped, APIView):
    """Every request for information on a proposal the caller may see, newest first."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        rfis = information_requests_of(proposal=proposal)
        return Response(InformationRequestSerializer(rfis, many=True).data)


class InformationRequestAnswerApi(APIView):
    """Answer an open request (the consortium's editors, while the proposal is returned): text, and
    files as multipart/form-data. The answer travels with the revision the consortium submits next."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [NulSafeMultiPartParser, NulSafeJSONParser]

    @extend_schema(
        request={"multipart/form-data": InformationAnswerInput, "application/json": InformationAnswerInput},
        responses={200: InformationRequestSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        rfi = access_information_request(request.user, pk)
        data = parse(InformationAnswerInput, request)
        rfi = information_request_answer(request_id=rfi.pk, actor=request.user, **data)
        rfi = access_information_request(request.user, rfi.pk)
        return Response(InformationRequestSerializer(rfi).data)
