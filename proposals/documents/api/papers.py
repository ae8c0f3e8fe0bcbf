"""API for generated papers (list, download, dossier package) and the user's email preference."""

from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals.core.api.base import ProposalScoped
from proposals.core.api.errors import ErrorOutput
from proposals.core.enums import GeneratedKind, NotificationFrequency
from proposals.documents.models import GeneratedDocument
from proposals.documents.papers import PAPERS
from proposals.documents.services.generated import (
    PaperLookup,
    dossier_package,
    dossier_package_filename,
    generated_lookup,
    generated_visible,
    paper_filename,
)
from proposals.notify.services import notification_frequency_of, notification_preference_set

PENDING = {"message": "The document is being prepared; try again shortly.", "code": "pending", "extra": {}}
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    202: OpenApiResponse(description="Being generated: retry after the Retry-After seconds."),
    404: OpenApiResponse(description="No such proposal or document, or not visible to you."),
    409: OpenApiResponse(
        ErrorOutput,
        description="Cannot be generated from the proposal as it is (code not_renderable; the message "
        "says why: its data is too large, or every attempt ran out of time). Generated again once it "
        "changes.",
    ),
}


def _pending(lookup: PaperLookup) -> Response:
    """202 while the paper is prepared (one render is in flight however often this is asked), 409 when
    it cannot be."""
    if lookup.state == "refused":
        body = {
            "message": f"The document cannot be prepared. {lookup.reason}",
            "code": "not_renderable",
            "extra": {},
        }
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(PENDING, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "5"})


class GeneratedDocumentOutput(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedDocument
        fields = [
            "kind",
            "subject_id",
            "revision",
            "sha256",
            "size",
            "page_count",
            "rendered_at",
            "download_url",
        ]

    def get_download_url(self, doc: GeneratedDocument) -> str:
        args: list[Any] = [doc.proposal_id, doc.kind]
        name = "api-paper-download"
        if doc.subject_id:
            args.append(doc.subject_id)
            name = "api-paper-download-subject"
        return reverse(name, args=args)


class GeneratedDocumentListApi(ProposalScoped, APIView):
    @extend_schema(
        description="The generated papers of the proposal the caller may read (dossier, letters, term "
        "sheets), each with its download link.",
        responses=GeneratedDocumentOutput(many=True),
        operation_id="proposal_papers_list",
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = self.get_proposal("proposals.view_proposal")
        docs = generated_visible(proposal=proposal, user=request.user)
        return Response(GeneratedDocumentOutput(docs, many=True).data)


class PaperDownloadApi(ProposalScoped, APIView):
    @extend_schema(
        description="Download one generated paper as PDF; 202 while it is still being rendered.",
        responses=PDF_RESPONSES,
        operation_id="proposal_paper_download",
    )
    def get(self, request: Request, proposal_id: int, kind: str, subject_id: int = 0) -> Any:
        paper = PAPERS.get(kind)
        if paper is None:
            raise Http404
        proposal = self.get_proposal(paper.permission)
        lookup = generated_lookup(proposal=proposal, kind=kind, subject_id=subject_id)
        if lookup.state == "unavailable":
            raise Http404
        if lookup.document is None:
            return _pending(lookup)
        doc = lookup.document
        response = FileResponse(
            doc.file.open("rb"),
            as_attachment=True,
            filename=paper_filename(doc),
            content_type="application/pdf",
        )
        response["X-Checksum-SHA256"] = doc.sha256
        return response


class PaperSubjectDownloadApi(PaperDownloadApi):
    """A paper about one track object (a gate's letter, a deal's term sheet)."""

    @extend_schema(responses=PDF_RESPONSES, operation_id="proposal_paper_subject_download")
    def get(self, request: Request, proposal_id: int, kind: str, subject_id: int = 0) -> Any:
        return super().get(request, proposal_id, kind, subject_id)


class PackageDownloadApi(ProposalScoped, APIView):
    @extend_schema(
        description="Download the submitted proposal's dossier with its documents as one ZIP file; 202 "
        "while the dossier is still being rendered.",
        responses={**PDF_RESPONSES, (200, "application/zip"): OpenApiTypes.BINARY},
        operation_id="proposal_package_download",
    )
    def get(self, request: Request, proposal_id: int) -> Any:
        proposal = self.get_proposal(PAPERS[GeneratedKind.DOSSIER].permission)
        if proposal.revision_number == 0:
            raise Http404
        lookup, package = dossier_package(proposal=proposal, user=request.user)
        if package is None:
            return _pending(lookup)
        return FileResponse(
            package,
            as_attachment=True,
            filename=dossier_package_filename(proposal),
            content_type="application/zip",
        )


class NotificationPreferenceSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=NotificationFrequency.choices)


class NotificationPreferenceApi(APIView):
    @extend_schema(
        description="How often you receive e-mail about your proposals: at each event, or in a daily digest.",
        responses=NotificationPreferenceSerializer,
        operation_id="me_notifications_get",
    )
    def get(self, request: Request) -> Response:
        return Response({"frequency": notification_frequency_of(request.user)})

    @extend_schema(
        description="Change how often you receive e-mail about your proposals.",
        request=NotificationPreferenceSerializer,
        responses=NotificationPreferenceSerializer,
        operation_id="me_notifications_set",
    )
    def put(self, request: Request) -> Response:
        data = NotificationPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = notification_preference_set(
            user=request.user, frequency=data.validated_data["frequency"]
        )
        return Response({"frequency": preference.frequency})
