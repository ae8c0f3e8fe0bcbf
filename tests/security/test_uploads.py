"""Upload validation, case by case, through the one document service: each refusal stores nothing."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.core.enums import DocumentCategory
from proposals.core.errors import InvalidInput
from proposals.documents.services.uploads import document_add
from proposals.intake.models.proposal import Document
from tests.factories import ProposalFactory

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"
ZIP = b"PK\x03\x04" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(consortium, lead):
    return ProposalFactory(consortium=consortium, created_by=lead)


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _add(draft, lead, upload):
    return document_add(
        proposal_id=draft.pk, actor=lead, category=DocumentCategory.SECURITY_PLAN, upload=upload
    )


def _refused(draft, lead, media, upload) -> str:
    with pytest.raises(InvalidInput) as refused:
        _add(draft, lead, upload)
    assert Document.objects.count() == 0
    assert _stored_files(media) == []
    return refused.value.extra["fields"]["file"][0]


def test_valid_pdf_is_stored_once(draft, lead, media):
    doc = _add(draft, lead, SimpleUploadedFile("plan.pdf", PDF))

    assert Document.objects.count() == 1
    assert (doc.original_name, doc.extension, doc.size) == ("plan.pdf", "pdf", len(PDF))
    assert [p.read_bytes() for p in _stored_files(media)] == [PDF]


def test_file_at_the_size_limit_is_accepted(draft, lead, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    content = PDF + b" " * (1024 - len(PDF))

    _add(draft, lead, SimpleUploadedFile("plan.pdf", content))

    assert Document.objects.count() == 1


def test_oversized_file_is_refused(draft, lead, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    content = PDF + b" " * (1025 - len(PDF))

    message = _refused(draft, lead, media, SimpleUploadedFile("plan.pdf", content))

    assert message.startswith("The file is larger than the ")


def test_oversized_file_message_names_the_limit_in_megabytes(draft, lead, media, settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024

    message = _refused(draft, lead, media, SimpleUploadedFile("plan.pdf", PDF + b" " * (2 * 1024 * 1024)))

    assert message == "The file is larger than the 2 MB limit."


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", PNG, "The file's content is PNG, not what its name says (.pdf)."),
        ("photo.png", PDF, "The file's content is PDF, not what its name says (.png)."),
        (
            "plan.pdf",
            EXE,
            "Upload a PDF, PNG, JPEG, DOCX or XLSX file; this file's content is none of these.",
        ),
        (
            "plan.pdf",
            HTML,
            "Upload a PDF, PNG, JPEG, DOCX or XLSX file; this file's content is none of these.",
        ),
        (
            "budget.docx",
            ZIP,
            "Upload a PDF, PNG, JPEG, DOCX or XLSX file; this file's content is none of these.",
        ),
    ],
    ids=["png-as-pdf", "pdf-as-png", "exe-as-pdf", "html-as-pdf", "bare-zip-as-docx"],
)
def test_wrong_type_behind_a_good_extension_is_refused(draft, lead, media, name, content, expected):
    assert _refused(draft, lead, media, SimpleUploadedFile(name, content)) == expected


@pytest.mark.parametrize(
    "name",
    ["../../etc/plan.pdf", "reports/plan.pdf", "/tmp/plan.pdf", "..\\..\\plan.pdf", "C:\\Users\\x\\plan.pdf"],
)
def test_a_path_in_the_file_name_is_refused(draft, lead, media, name):
    # ContentFile keeps the name as given (Django's multipart parser would strip it: defence in depth).
    message = _refused(draft, lead, media, ContentFile(PDF, name=name))

    assert message == "The file name must not contain a path."


def test_hidden_file_name_is_refused(draft, lead, media):
    assert (
        _refused(draft, lead, media, ContentFile(PDF, name=".pdf"))
        == "The file name must not contain a path."
    )


def test_empty_file_is_refused(draft, lead, media):
    assert _refused(draft, lead, media, SimpleUploadedFile("plan.pdf", b"")) == "The file is empty."


def test_stored_name_is_not_the_uploaded_name(draft, lead, media):
    doc = _add(draft, lead, SimpleUploadedFile("<script>.pdf", PDF))

    assert "<script>" not in doc.file.name
    assert doc.original_name == "<script>.pdf"  # shown escaped by templates, never used as a path
