"""/api/proposals/<id>/revisions/ (frozen submissions) and /timeline/ (the audit trail)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.api.base import ProposalScoped
from proposals.api.errors import error_responses
from proposals.models import AuditEvent, Revision
from proposals.selectors import proposal_timeline_for


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
