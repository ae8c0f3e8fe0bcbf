"""/api/proposals/<id>/findings/: the completeness checklist, from the same engine submission uses."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import ProposalScoped
from proposals.core.api.errors import error_responses
from proposals.core.enums import Section, Severity
from proposals.intake.policy.completeness import blocking
from proposals.intake.selectors import proposal_findings


class FindingOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable rule code, such as LAYER_MISSING.")
    severity = serializers.ChoiceField(choices=Severity.choices)
    section = serializers.ChoiceField(choices=Section.choices, help_text="The editor section to fix it in.")
    field = serializers.CharField(help_text="The field the finding points at.")
    message = serializers.CharField(help_text="What to do about it.")


class ChecklistOutput(serializers.Serializer):
    ready_to_submit = serializers.BooleanField(help_text="True when no blocking finding remains.")
    blocking_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    findings = FindingOutput(many=True)


class FindingsApi(ProposalScoped, APIView):
    """Every finding of the completeness engine for the proposal as it stands, in section order."""

    @extend_schema(
        summary="Completeness checklist",
        responses={200: ChecklistOutput, **error_responses(404)},
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        findings = proposal_findings(self.get_proposal())
        n_blocking = len(blocking(findings))
        checklist = {
            "ready_to_submit": n_blocking == 0,
            "blocking_count": n_blocking,
            "warning_count": len(findings) - n_blocking,
            "findings": findings,
        }
        return Response(ChecklistOutput(checklist).data)
