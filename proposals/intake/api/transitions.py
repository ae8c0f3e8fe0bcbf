"""/api/proposals/<id>/submit/ and /withdraw/: state changes through the one transition service.

A refused transition is a 409 whether the state or the caller's role forbids it (an editor may not
submit: 409 transition_not_allowed); an incomplete proposal is a 409 `incomplete` listing the
blocking findings in extra.findings.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import ErrorOutput, error_responses
from proposals.core.api.fields import text_input
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.intake.api.proposals import ProposalOutput, proposal_output
from proposals.intake.services.transitions import proposal_transition


class WithdrawInput(serializers.Serializer):
    # Blank passes here so the transition service, which requires the reason, words the refusal.
    reason = text_input(
        NOTE_MAX_CHARS, multiline=True, allow_blank=True, help_text="Why the consortium withdraws (required)."
    )


_REFUSED = OpenApiResponse(
    ErrorOutput,
    description="Refused: the proposal's state or your role does not allow it (transition_not_allowed), "
    "or blocking checklist findings remain (incomplete, listed in extra.findings).",
    examples=[
        OpenApiExample(
            "Incomplete",
            value={
                "message": "The proposal cannot be submitted: 1 item(s) on the checklist must be fixed "
                "first.",
                "code": "incomplete",
                "extra": {
                    "findings": [
                        {
                            "code": "SUMMARY_MISSING",
                            "severity": "blocking",
                            "section": "overview",
                            "field": "summary",
                            "message": "Describe the package in the summary.",
                        }
                    ]
                },
            },
        ),
        OpenApiExample(
            "Not allowed",
            value={
                "message": "Your role may not submit this proposal.",
                "code": "transition_not_allowed",
                "extra": {"status": "draft", "action": "submit"},
            },
        ),
    ],
)


class SubmitApi(ProposalScoped, APIView):
    """Submit the proposal; refused (409) while blocking findings remain."""

    @extend_schema(
        summary="Submit for review",
        description="The anchor's lead only. Freezes the next numbered revision and starts intake.",
        request=None,
        responses={200: ProposalOutput, **error_responses(404), 409: _REFUSED},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=request.user)
        return Response(proposal_output(request, proposal.pk))


class WithdrawApi(ProposalScoped, APIView):
    """Withdraw the proposal, giving a reason."""

    @extend_schema(
        summary="Withdraw",
        description="The anchor's lead only, with a reason; from draft, submitted, returned or in review.",
        request=WithdrawInput,
        responses={200: ProposalOutput, **error_responses(400, 404), 409: _REFUSED},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        data = parse(WithdrawInput, request)
        proposal_transition(
            proposal_id=proposal.pk, action="withdraw", actor=request.user, reason=data["reason"]
        )
        return Response(proposal_output(request, proposal.pk))
