"""Document uploads: validated from their bytes, stored under a name the user does not choose."""

import hashlib
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from proposals.core.errors import InvalidInput
from proposals.core.policy.text import text_refusal
from proposals.intake.models.proposal import Document
from proposals.intake.services.drafting import locked_editable_proposal

# What the program accepts, by the type detected from the content: extension -> MIME type.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {"file": [message]}})


def upload_size_check(upload: File, *, refuse: Callable[[str], InvalidInput] = _refuse) -> None:
    """Refuse (as `refuse` words it) an upload that is empty or over UPLOAD_MAX_BYTES.

    Every upload (documents, bills of materials) passes this one size check before its content is read.
    """
    size = upload.size or 0
    if size == 0:
        raise refuse("The file is empty.")
    if size > settings.UPLOAD_MAX_BYTES:
        raise refuse(f"The file is larger than the {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB limit.")


def upload_read(upload: File, *, refuse: Callable[[str], InvalidInput] = _refuse) -> bytes:
    """The upload's bytes, once its size passed upload_size_check."""
    upload_size_check(upload, refuse=refuse)
    upload.seek(0)
    return upload.read()


def upload_validate(upload: File) -> tuple[str, str, bytes]:
    """Check an upload; return (safe display name, detected extension, content) or raise InvalidInput."""
    raw_name = upload.name or ""
    name = PurePath(raw_name.replace("\\", "/")).name
    if not name or name != raw_name or name.startswith("."):
        raise _refuse("The file name must not contain a path.")
    # The name is shown and goes into dossier packages: a direction override could make
    # "report\u202efdp.exe" display as "reportexe.pdf" (the text rule, proposals.core.policy.text).
    if refusal := text_refusal(name, multiline=False):
        raise _refuse(f"Rename the file. {refusal}")
    content = upload_read(upload)
    kind = filetype.guess(content)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise _refuse("Upload a PDF, PNG, JPEG, DOCX or XLSX file; this file's content is none of these.")
    claimed = PurePath(name).suffix.lower().lstrip(".").replace("jpeg", "jpg")
    if claimed != kind.extension:
        raise _refuse(f"The file's content is {kind.extension.upper()}, not what its name says (.{claimed}).")
    return name[:200], kind.extension, content


def document_store(
    *, proposal: Any, actor: Any, category: str, validated: tuple[str, str, bytes], **links: Any
) -> Document:
    """Store one upload that passed `upload_validate` (the caller holds the proposal's lock).

    `links` names what else the document belongs to (an answer's `information_request`)."""
    name, extension, content = validated
    doc = Document(
        proposal=proposal,
        category=category,
        original_name=name,
        extension=extension,
        content_type=ALLOWED_TYPES[extension],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
        **links,
    )
    doc.full_clean(exclude=["file", "proposal", *links])
    doc.file.save(f"upload.{extension}", ContentFile(content), save=False)
    try:  # if the row cannot be written, remove the file just stored
        doc.save()
    except Exception:
        doc.file.delete(save=False)
        raise
    return doc


def document_add(*, proposal_id: int, actor: Any, category: str, upload: File) -> Document:
    """Validate and store one document; a refused file leaves nothing behind."""
    validated = upload_validate(upload)
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        doc = document_store(proposal=proposal, actor=actor, category=category, validated=validated)
        proposal.save(update_fields=["updated_at"])
    return doc


def document_delete(*, proposal_id: int, actor: Any, pk: int) -> None:
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        doc = Document.objects.get(pk=pk, proposal=proposal)
        stored = doc.file.name
        doc.delete()
        proposal.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: doc.file.storage.delete(stored))
