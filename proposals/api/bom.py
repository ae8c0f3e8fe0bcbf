"""API: bill-of-materials import (multipart upload -> the same service the web uses)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.selectors import proposals_visible_to
from proposals.services.bom_import import bom_import


class BomImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV or XLSX file in the template's columns.")


class BomImportOutput(serializers.Serializer):
    imported = serializers.IntegerField()


BomErrorBody = inline_serializer(
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
                        "row": serializers.IntegerField(),
                        "column": serializers.CharField(),
                        "message": serializers.CharField(),
                    },
                    many=True,
                ),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        ),
    },
)


class BomImportView(APIView):
    """Add every line item in the file, or none: a 400 lists every error by row and column."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="proposal_line_items_import",
        request=BomImportInput,
        responses={
            201: BomImportOutput,
            400: OpenApiResponse(BomErrorBody, description="Nothing imported; each error by row and column."),
            404: OpenApiResponse(description="Not one of your consortium's proposals."),
            409: OpenApiResponse(description="The proposal is not editable now."),
        },
        tags=["line items"],
    )
    def post(self, request: Request, pk: int) -> Response:
        get_object_or_404(proposals_visible_to(request.user), pk=pk)
        data = BomImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        count = bom_import(proposal_id=pk, actor=request.user, upload=data.validated_data["file"])
        return Response(BomImportOutput({"imported": count}).data, status=201)


urlpatterns = [
    path("proposals/<int:pk>/line-items/import/", BomImportView.as_view(), name="api-bom-import"),
]
