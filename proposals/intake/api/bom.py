"""API: bill-of-materials import (multipart upload -> the same service the web uses), and the status and
result of an import the intake worker reads."""

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import ErrorOutput, error_responses
from proposals.core.api.parsers import MultiPartParser as NulSafeMultiPartParser
from proposals.intake.enums import BomImportStatus
from proposals.intake.models.bom_import import BomImportJob
from proposals.intake.selectors import access_bom_import_job, bom_import_job_delayed
from proposals.intake.services.bom_jobs import bom_import_start


class BomImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV or XLSX file in the template's columns.")


class BomImportOutput(serializers.Serializer):
    imported = serializers.IntegerField(help_text="How many line items were added.")


class BomRowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="Spreadsheet row; 1 is the header.")
    column = serializers.CharField(help_text='A template column, or "" for the file.')
    message = serializers.CharField()


class BomImportJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="This import's status and result (GET).")
    status = serializers.ChoiceField(
        choices=BomImportStatus.choices,
        help_text="queued or running until the worker has read the file; then succeeded or failed.",
    )
    file_name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="The upload's size in bytes.")
    sha256 = serializers.CharField(help_text="The upload's checksum.")
    rows_read = serializers.IntegerField(help_text="Rows read so far.")
    rows_estimate = serializers.IntegerField(
        help_text="Rows the file probably holds (0 until reading starts)."
    )
    rows_imported = serializers.IntegerField(help_text="Line items added (only when succeeded).")
    message = serializers.CharField(help_text="Why it failed, in plain words; empty otherwise.")
    errors = BomRowErrorOutput(many=True, help_text="The file's problems by row and column (when failed).")
    delayed = serializers.SerializerMethodField(
        help_text="True when it has waited longer than usual; it is recorded and will be started again."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, job: BomImportJob) -> str:
        return reverse("api-bom-import-job", kwargs={"proposal_id": job.proposal_id, "job_id": job.pk})

    def get_delayed(self, job: BomImportJob) -> bool:
        return bom_import_job_delayed(job)


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
    """Add every line item in the file, or none: a 400 lists every error by row and column.

    A small file (BOM_IMPORT_INLINE_MAX_BYTES of bytes to parse; 8 KB by default) is read at once:
    201 with the count, or 400 with the errors. A larger one is stored and read by the intake worker:
    202 with the import's status and its URL (also in Location), which answers the result when done.
    """

    parser_classes = [NulSafeMultiPartParser]
    serializer_class = BomImportInput

    @extend_schema(
        operation_id="proposal_line_items_import",
        summary="Import line items from a CSV or XLSX bill of materials",
        request=BomImportInput,
        responses={
            201: BomImportOutput,
            202: OpenApiResponse(
                BomImportJobOutput,
                description="A large file: stored and queued for the intake worker; poll its url.",
            ),
            **error_responses(403, 404),
            409: OpenApiResponse(
                ErrorOutput,
                description="The proposal cannot be edited (code not_editable), or another file is "
                "still being imported into it (code import_in_progress).",
            ),
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
        started = bom_import_start(proposal_id=proposal.pk, actor=request.user, upload=data["file"])
        if started.job is not None:
            output = BomImportJobOutput(started.job).data
            return Response(output, status=202, headers={"Location": output["url"]})
        return Response(BomImportOutput({"imported": started.imported}).data, status=201)


class BomImportJobApi(ProposalScoped, generics.GenericAPIView):
    """The status of a bill-of-materials import the intake worker reads, and its result once done.

    Only the proposal's consortium sees its imports; anyone else gets 404.
    """

    serializer_class = BomImportJobOutput

    @extend_schema(
        operation_id="proposal_line_items_import_status",
        summary="Status and result of a bill-of-materials import",
        responses={200: BomImportJobOutput, **error_responses(404)},
    )
    def get(self, request: Request, proposal_id: int, job_id: int) -> Response:
        job = access_bom_import_job(request.user, self.get_proposal().pk, job_id)
        return Response(BomImportJobOutput(job).data)


urlpatterns = [
    path("proposals/<int:proposal_id>/line-items/import/", BomImportApi.as_view(), name="api-bom-import"),
    path(
        "proposals/<int:proposal_id>/line-items/imports/<int:job_id>/",
        BomImportJobApi.as_view(),
        name="api-bom-import-job",
    ),
]
