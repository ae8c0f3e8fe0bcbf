"""/api/proposals/<id>/revisions/ (frozen submissions), /timeline/ (the audit trail) and /progress/
(where the federal review stands)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.commerce.models import LicenseGate
from proposals.core.api.base import ProposalScoped
from proposals.core.api.errors import error_responses
from proposals.core.models.audit import AuditEvent
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Revision
from proposals.intake.selectors import proposal_timeline_for, review_progress


class RevisionOutput(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Revision
        fields = ["number", "created_at", "created_by"]
        read_only_fields = fields


class RevisionDetailOutput(RevisionOutput):
    class Meta(RevisionOutput.Meta):
        fields = [*RevisionOutput.Meta.fields, "snapshot"]
        read_only_fields = fields


class AuditEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True, help_text='A user, or "System".')

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "subject",
            "action",
            "from_state",
            "to_state",
            "actor",
            "reason",
            "revision",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(get=extend_schema(responses={200: RevisionOutput(many=True), **error_responses(404)}))
class RevisionListApi(ProposalScoped, generics.ListAPIView):
    """The frozen revisions, one per submission, oldest first."""

    serializer_class = RevisionOutput

    def get_queryset(self) -> QuerySet[Revision]:
        if self.schema_only:
            return Revision.objects.none()
        return self.get_proposal().revisions.select_related("created_by").order_by("number")


class RevisionDetailApi(ProposalScoped, generics.GenericAPIView):
    """One frozen revision, with the snapshot taken at submission."""

    serializer_class = RevisionDetailOutput

    @extend_schema(
        summary="One frozen revision with its snapshot",
        responses={200: RevisionDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, proposal_id: int, number: int) -> Response:
        revision = get_object_or_404(
            self.get_proposal().revisions.select_related("created_by"), number=number
        )
        return Response(RevisionDetailOutput(revision).data)


@extend_schema_view(get=extend_schema(responses={200: AuditEventOutput(many=True), **error_responses(404)}))
class TimelineApi(ProposalScoped, generics.ListAPIView):
    """The recorded changes the caller may read, oldest first (agency staff see every track)."""

    serializer_class = AuditEventOutput

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if self.schema_only:
            return AuditEvent.objects.none()
        return proposal_timeline_for(self.request.user, self.get_proposal())


class GateProgressOutput(serializers.ModelSerializer):
    destination_name = serializers.CharField(source="destination.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = LicenseGate
        fields = [
            "eccn",
            "destination",
            "destination_name",
            "status",
            "status_display",
            "conditions",
            "decided_at",
        ]
        read_only_fields = fields


class DealProgressOutput(serializers.ModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    financed_amount = serializers.SerializerMethodField()
    committed = serializers.BooleanField(source="is_committed", read_only=True)

    class Meta:
        model = Deal
        fields = [
            "stage",
            "stage_display",
            "stage_entered_at",
            "amount",
            "product",
            "financed_amount",
            "target_final_commitment_on",
            "committed",
        ]
        read_only_fields = fields

    def get_financed_amount(self, deal: Deal) -> str | None:
        return (deal.terms or {}).get("financed_amount")


class CommerceStandingOutput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["not_in_review", "pending_determination", "licenses_required", "in_progress", "cleared"]
    )
    headline = serializers.CharField(help_text='E.g. "License determination pending."')
    cleared_at = serializers.DateTimeField(allow_null=True)


class ProgressOutput(serializers.Serializer):
    screened = serializers.BooleanField(help_text="Party screening has run.")
    delayed = serializers.BooleanField(help_text="Automated work is taking longer than usual (it will run).")
    commerce = CommerceStandingOutput(help_text="Where Commerce stands (never a screening entry).")
    gates = GateProgressOutput(many=True, help_text="The licenses the package needs and their decisions.")
    deal = DealProgressOutput(allow_null=True, help_text="EXIM's financing file, once review has started.")


class ProgressApi(ProposalScoped, APIView):
    """Where the federal review stands: Commerce's license gates and EXIM's deal (the consortium's view)."""

    @extend_schema(responses={200: ProgressOutput, **error_responses(404)})
    def get(self, request: Request, proposal_id: int) -> Response:
        return Response(ProgressOutput(review_progress(self.get_proposal())).data)
