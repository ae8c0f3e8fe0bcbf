"""/api/proposals/<id>/copy/: a new draft of the caller's consortium, copied from a visible proposal.

(Deleting a never-submitted draft is DELETE /api/proposals/<id>/, in proposals.py.)"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import error_responses
from proposals.intake.api.proposals import ProposalOutput, proposal_output
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium
from proposals.intake.services.drafts import proposal_copy


class ProposalCopyInput(serializers.Serializer):
    title = serializers.CharField(
        max_length=200, required=False, default="", help_text='Default: "Copy of <title>".'
    )
    consortium = serializers.PrimaryKeyRelatedField(
        queryset=Consortium.objects.all(),
        required=False,
        default=None,
        help_text="Needed only when you may start proposals in several consortia.",
    )
    call = serializers.PrimaryKeyRelatedField(
        queryset=Call.objects.all(),
        required=False,
        default=None,
        help_text="An open call; default: the source's call if open, else the newest open call.",
    )


class ProposalCopyApi(ProposalScoped, APIView):
    """Start a new draft from this proposal: its own fields, target countries, sites, line items and
    parties with their owners. Documents, revisions, reviews, decisions and messages are not copied.
    The copy is recorded in the source's audit trail."""

    @extend_schema(
        summary="Copy into a new draft",
        request=ProposalCopyInput,
        responses={201: ProposalOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        source = self.get_proposal()
        data = parse(ProposalCopyInput, request)
        copy = proposal_copy(proposal_id=source.pk, actor=request.user, **data)
        return Response(proposal_output(request, copy.pk), status=status.HTTP_201_CREATED)
