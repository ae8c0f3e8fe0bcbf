"""/api/proposals/<id>/documents/: uploads (multipart), checked from their bytes by the documents service."""

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from proposals.core.api.base import ProposalScoped, parse
from proposals.core.api.errors import error_responses
from proposals.core.api.parsers import MultiPartParser as NulSafeMultiPartParser
from proposals.core.enums import DocumentCategory
from proposals.documents.services.uploads import document_add, document_delete
from proposals.intake.models.proposal import Document


class DocumentInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=DocumentCategory.choices)
    # Empty files pass here so that the service, which owns the upload rules, gives the refusal.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=f"PDF, PNG, JPEG, DOCX or XLSX, at most {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB; "
        "the type is read from the content and must match the extension.",
    )


class DocumentOutput(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    uploaded_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "category",
            "category_display",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(responses={200: DocumentOutput(many=True), **error_responses(404)}),
    post=extend_schema(
        summary="Upload a document",
        request={"multipart/form-data": DocumentInput},
        responses={201: DocumentOutput, **error_responses(400, 403, 404, 409)},
    ),
)
class DocumentListCreateApi(ProposalScoped, generics.ListAPIView):
    """The proposal's documents; upload one as multipart/form-data (a refused file leaves nothing)."""

    serializer_class = DocumentOutput
    parser_classes = [NulSafeMultiPartParser]

    def get_queryset(self) -> QuerySet[Document]:
        if self.schema_only:
            return Document.objects.none()
        return self.get_proposal().documents.select_related("uploaded_by")

    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal()
        data = parse(DocumentInput, request)
        doc = document_add(
            proposal_id=proposal.pk, actor=request.user, category=data["category"], upload=data["file"]
        )
        return Response(DocumentOutput(doc).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(responses={200: DocumentOutput, **error_responses(404)}),
    delete=extend_schema(responses={204: None, **error_responses(403, 404, 409)}),
)
class DocumentDetailApi(ProposalScoped, generics.GenericAPIView):
    """One document's record: read or delete."""

    serializer_class = DocumentOutput
    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Document]:
        if self.schema_only:
            return Document.objects.none()
        return self.get_proposal().documents.select_related("uploaded_by")

    def get(self, request: Request, proposal_id: int, pk: int) -> Response:
        return Response(DocumentOutput(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def delete(self, request: Request, proposal_id: int, pk: int) -> Response:
        document_delete(proposal_id=self.get_proposal().pk, actor=request.user, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
