"""Generated papers: render when the source changed, store with checksum and revision, serve and package.

`generated_render` is what the documents worker runs; it is idempotent: the data a paper is made
from is hashed (`source_sha256`) and a paper whose hash is unchanged is not rendered again.
"""

import hashlib
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from proposals.core.engine import enqueue_on_commit
from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument
from proposals.documents.papers import PAPERS, Paper
from proposals.documents.papers.render import render_pdf
from proposals.intake.models.proposal import Document, Proposal, Revision

log = logging.getLogger(__name__)

RENDER_TASK = "proposals.documents.tasks.document_render"


def source_checksum(context: dict[str, Any]) -> str:
    """sha256 of a paper's data in a canonical form: equal data, equal checksum."""
    canonical = json.dumps(context, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def paper_context(paper: Paper, proposal: Proposal, subject_id: int) -> dict[str, Any] | None:
    context_fn: Callable[[Proposal, int], dict[str, Any] | None] = import_string(paper.context)
    return context_fn(proposal, subject_id)


def generated_render(*, proposal_id: int, kind: str, subject_id: int = 0) -> str | None:
    """Render and store the paper unless the stored one is current.

    Returns "rendered", "current", "not_applicable" (e.g. never submitted), or None (no such
    proposal or kind).
    """
    paper = PAPERS.get(kind)
    proposal = Proposal.objects.select_related("consortium").filter(pk=proposal_id).first()
    if paper is None or proposal is None:
        log.info("nothing to render: proposal %s, kind %s", proposal_id, kind)
        return None
    context = paper_context(paper, proposal, subject_id)
    if context is None:
        return "not_applicable"
    source = source_checksum(context)
    key = {"proposal": proposal, "kind": kind, "subject_id": subject_id}
    if GeneratedDocument.objects.filter(**key, source_sha256=source).exists():
        return "current"
    # Rendering takes seconds: do it outside the transaction, then lock and store.
    pdf = render_pdf(paper.template, context)
    checksum = hashlib.sha256(pdf.content).hexdigest()
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().filter(**key).first()
        if doc is not None and doc.source_sha256 == source:
            return "current"  # another worker stored the same paper meanwhile
        old_file = doc.file.name if doc is not None else ""
        doc = doc or GeneratedDocument(**key)
        doc.revision = int(context.get("revision", proposal.revision_number))
        doc.source_sha256 = source
        doc.sha256 = checksum
        doc.size = len(pdf.content)
        doc.page_count = pdf.page_count
        doc.file.save(f"{kind}.pdf", ContentFile(pdf.content), save=False)
        try:
            with transaction.atomic():
                doc.save()
        except IntegrityError:
            # A concurrent first render created the row; keep theirs, drop our file.
            doc.file.delete(save=False)
            return "current"
        if old_file and old_file != doc.file.name:
            storage = doc.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    log.info("rendered %s for proposal %s: %s pages", kind, proposal_id, pdf.page_count)
    return "rendered"


@dataclass(frozen=True)
class PaperLookup:
    """What a download finds: the current paper, or that it is being prepared, or that there is none."""

    state: str  # "ready", "pending" or "unavailable"
    document: GeneratedDocument | None = None


def generated_lookup(*, proposal: Proposal, kind: str, subject_id: int = 0) -> PaperLookup:
    """The stored paper if it matches its source now; otherwise enqueue a render and say "pending".

    The caller has already checked that the user may see the proposal and the paper.
    """
    paper = PAPERS.get(kind)
    if paper is None or (subject_id and not paper.per_subject):
        return PaperLookup("unavailable")
    context = paper_context(paper, proposal, subject_id)
    if context is None:
        return PaperLookup("unavailable")
    doc = GeneratedDocument.objects.filter(
        proposal=proposal, kind=kind, subject_id=subject_id, source_sha256=source_checksum(context)
    ).first()
    if doc is not None:
        return PaperLookup("ready", doc)
    enqueue_on_commit(RENDER_TASK, proposal_id=proposal.pk, kind=kind, subject_id=subject_id)
    return PaperLookup("pending")


def generated_visible(*, proposal: Proposal, user: Any) -> list[GeneratedDocument]:
    """The stored papers of a proposal this user may download (one query)."""
    docs = GeneratedDocument.objects.filter(proposal=proposal).order_by("kind", "subject_id")
    allowed = {kind for kind, paper in PAPERS.items() if user.has_perm(paper.permission, proposal)}
    return [doc for doc in docs if doc.kind in allowed]


def paper_filename(doc: GeneratedDocument) -> str:
    subject = f"-{doc.subject_id}" if doc.subject_id else ""
    return f"{doc.kind.replace('_', '-')}{subject}-proposal-{doc.proposal_id}-r{doc.revision}.pdf"


def dossier_package_filename(proposal: Proposal) -> str:
    """The package's download name, the same from the web and the API."""
    return f"dossier-package-proposal-{proposal.pk}-r{proposal.revision_number}.zip"


def dossier_package(*, proposal: Proposal, user: Any) -> IO[bytes] | None:
    """One ZIP: the current dossier, the attachments of its revision, and the letters the user may see.

    Returns an open temporary file positioned at the start, or None while the dossier is being
    prepared (a render has been enqueued).
    """
    lookup = generated_lookup(proposal=proposal, kind=GeneratedKind.DOSSIER)
    if lookup.document is None:
        return None
    dossier = lookup.document
    revision = Revision.objects.filter(proposal=proposal, number=dossier.revision).first()
    attachment_ids = [d["id"] for d in revision.snapshot["documents"]] if revision else []
    attachments = Document.objects.filter(pk__in=attachment_ids).order_by("category", "pk")
    letters = [
        doc for doc in generated_visible(proposal=proposal, user=user) if doc.kind != GeneratedKind.DOSSIER
    ]
    manifest = []
    # Spooled: small packages stay in memory, large ones (attachments of 20 MB each) go to disk.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        entries: list[tuple[str, Any, str]] = [(paper_filename(dossier), dossier.file, dossier.sha256)]
        entries += [(f"letters/{paper_filename(doc)}", doc.file, doc.sha256) for doc in letters]
        entries += [
            (f"attachments/{doc.category}/{doc.pk}-{doc.original_name}", doc.file, doc.sha256)
            for doc in attachments
        ]
        for name, field_file, sha256 in entries:
            with field_file.open("rb") as src, zf.open(name, "w") as dst:
                while chunk := src.read(1024 * 1024):
                    dst.write(chunk)
            manifest.append(f"{sha256}  {name}")
        zf.writestr("MANIFEST.sha256", "\n".join(manifest) + "\n")
    out.seek(0)
    return out
