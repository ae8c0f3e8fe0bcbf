"""API: bill-of-materials import (multipart upload -> the same service the web uses)."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import ErrorOutput, error_responses
from proposals.core.api.parsers import MultiPartParser as NulSafeMultiPartParser
from proposals.intake.services.bom_import import bom_import


class BomImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV or XLSX file in the template's columns.")


class BomImportOutput(serializers.Serializer):
    imported = serializers.IntegerField(help_text="How many line items were added.")


BomImportError = inline_serializer(
    "BomImportError",
    fields={
        "message": serializers.CharField(),
        "code": serializers.CharField(),
        "extra": inline_serializer(
            "BomImportErrorExtra",
            fields={
                "rows": inline_serializer(
                    "BomRowError",
                    fields={
                        "row": serializers.IntegerField(help_text="Spreadsheet row; 1 is the header."),
                        "column": serializers.CharField(help_text='A template column, or "" for the file.'),
                        "message": serializers.CharField(),
                    },
                    many=True,
                    required=False,
                    help_text="The file's problems (absent when the request itself was bad).",
                ),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()), required=False
                ),
            },
        ),
    },
)


class BomImportApi(ProposalScoped, generics.GenericAPIView):
    """Add every line item in the file, or none: a 400 lists every error by row and column."""

    parser_classes = [NulSafeMultiPartParser]
    serializer_class = BomImportInput

    @extend_schema(
        operation_id="proposal_line_items_import",
        summary="Import line items from a CSV or XLSX bill of materials",
        request=BomImportInput,
        responses={
            201: BomImportOutput,
            **error_responses(403, 404, 409),
            429: OpenApiResponse(
                ErrorOutput, description="Other imports are being read right now (code busy): send it again."
            ),
            400: OpenApiResponse(
                BomImportError, description="Nothing imported; each error by row and column."
            ),
        },
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        data = parse(BomImportInput, request)
        count = bom_import(proposal_id=proposal.pk, actor=request.user, upload=data["file"])
        return Response(BomImportOutput({"imported": count}).data, status=201)


urlpatterns = [
    path("proposals/<int:proposal_id>/line-items/import/", BomImportApi.as_view(), name="api-bom-import"),
]
