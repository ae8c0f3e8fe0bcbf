"""Document uploads through the documents service: type from content, size limit, nothing left behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.core.enums import DocumentCategory
from proposals.intake.models.proposal import Document
from tests.fixtures.media import PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_stores_the_document_and_lists_it(lead_client, draft, settings):
    url = reverse("proposal-documents", kwargs={"pk": draft.pk})
    response = lead_client.post(
        url, {"category": DocumentCategory.SECURITY_PLAN, "file": SimpleUploadedFile("plan.pdf", PDF)}
    )
    assert response.status_code == 302
    doc = Document.objects.get(proposal=draft)
    assert (doc.original_name, doc.extension, doc.size) == ("plan.pdf", "pdf", len(PDF))
    assert len(stored_files(settings)) == 1
    html = lead_client.get(url).content.decode()
    assert "Document uploaded." in html
    assert reverse("proposal-document", kwargs={"pk": draft.pk, "doc_pk": doc.pk}) in html
    download = lead_client.get(reverse("proposal-document", kwargs={"pk": draft.pk, "doc_pk": doc.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "plan.pdf",
            b"just some text pretending",
            "Upload a PDF, PNG, JPEG, DOCX or XLSX file; this file's content is none of these.",
        ),
        ("plan.pdf", PNG, "The file's content is PNG, not what its name says (.pdf)."),
        ("plan.pdf", b"", "The submitted file is empty."),
    ],
)
def test_refused_upload_shows_the_reason_and_leaves_nothing(
    lead_client, draft, settings, name, content, message
):
    response = lead_client.post(
        reverse("proposal-documents", kwargs={"pk": draft.pk}),
        {"category": DocumentCategory.FINANCIAL, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<span class="usa-error-message" id="f-file-error" role="alert">{message}</span>'.replace(
            "'", "&#x27;"
        )
        in html
    )
    assert not Document.objects.filter(proposal=draft).exists()
    assert stored_files(settings) == []


def test_upload_over_the_size_limit_is_refused(lead_client, draft, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = lead_client.post(
        reverse("proposal-documents", kwargs={"pk": draft.pk}),
        {
            "category": DocumentCategory.FINANCIAL,
            "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024),
        },
    )
    assert response.status_code == 200
    assert "The file is larger than the 1 MB limit." in response.content.decode()
    assert not Document.objects.filter(proposal=draft).exists()
    assert stored_files(settings) == []


def test_remove_document_deletes_row_and_file(
    lead_client, draft, settings, django_capture_on_commit_callbacks
):
    lead_client.post(
        reverse("proposal-documents", kwargs={"pk": draft.pk}),
        {"category": DocumentCategory.OTHER, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    doc = Document.objects.get(proposal=draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("proposal-document-delete", kwargs={"pk": draft.pk, "doc_pk": doc.pk})
        )
    assert response.status_code == 302
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert stored_files(settings) == []


def test_viewer_cannot_upload_or_remove(viewer_client, lead_client, draft, settings):
    lead_client.post(
        reverse("proposal-documents", kwargs={"pk": draft.pk}),
        {"category": DocumentCategory.OTHER, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    response = viewer_client.post(
        reverse("proposal-documents", kwargs={"pk": draft.pk}),
        {"category": DocumentCategory.OTHER, "file": SimpleUploadedFile("b.pdf", PDF)},
    )
    assert response.status_code == 403
    doc = Document.objects.get(proposal=draft)
    response = viewer_client.post(
        reverse("proposal-document-delete", kwargs={"pk": draft.pk, "doc_pk": doc.pk})
    )
    assert response.status_code == 403
    assert Document.objects.filter(proposal=draft).count() == 1
    # Viewers may still read what was uploaded.
    assert (
        viewer_client.get(reverse("proposal-document", kwargs={"pk": draft.pk, "doc_pk": doc.pk})).status_code
        == 200
    )


def test_another_consortiums_document_is_404(outsider_client, complete_proposal):
    doc = complete_proposal.documents.first()
    url = reverse("proposal-document", kwargs={"pk": complete_proposal.pk, "doc_pk": doc.pk})
    assert outsider_client.get(url).status_code == 404
