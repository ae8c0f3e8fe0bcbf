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
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.core.engine import enqueue_on_commit
from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument, PaperRender
from proposals.documents.papers import PAPERS, Paper
from proposals.documents.papers.render import render_pdf
from proposals.documents.selectors import PAPER_HARD_LIMIT_MARGIN_SECONDS
from proposals.intake.models.proposal import Document, Proposal, Revision

log = logging.getLogger(__name__)

RENDER_TASK = "proposals.documents.tasks.document_render"


def canonical_source(context: dict[str, Any]) -> str:
    """A paper's data in a canonical form: equal data, equal text."""
    return json.dumps(context, sort_keys=True, default=str, separators=(",", ":"))


def source_checksum(context: dict[str, Any]) -> str:
    """sha256 of a paper's data in a canonical form: equal data, equal checksum."""
    return hashlib.sha256(canonical_source(context).encode()).hexdigest()


def paper_context(paper: Paper, proposal: Proposal, subject_id: int) -> dict[str, Any] | None:
    context_fn: Callable[[Proposal, int], dict[str, Any] | None] = import_string(paper.context)
    return context_fn(proposal, subject_id)


def _too_large(canonical: str) -> str:
    """Why a paper of this data is not rendered ("" when it may be): the render is bounded by its data."""
    limit = settings.EXPORTAI_PAPER_MAX_SOURCE_BYTES
    if len(canonical.encode()) <= limit:
        return ""
    return (
        f"Its data is larger than {filesizeformat(limit)}; shorten the proposal's texts or split "
        "its bill of materials, and it is prepared again."
    )


def _attempts_spent(attempts: int) -> str:
    return (
        f"It could not be prepared in {attempts} attempts of "
        f"{settings.EXPORTAI_PAPER_RENDER_SECONDS} seconds each; shorten the proposal's texts or its "
        "bill of materials, and it is prepared again."
    )


def _locked_request(key: dict[str, Any], source: str) -> tuple[PaperRender, bool]:
    """The paper's render request, locked (inside the caller's transaction); created if there is none.

    Returns (request, created). A request for other data is reset to this data, as a new request.
    """
    request = PaperRender.objects.select_for_update().filter(**key).first()
    if request is None:
        try:
            with transaction.atomic():
                return PaperRender.objects.create(
                    **key, source_sha256=source, requested_at=timezone.now()
                ), True
        except IntegrityError:
            # A concurrent request created it first: theirs stands, and their render is queued.
            request = PaperRender.objects.select_for_update().get(**key)
    if request.source_sha256 != source:
        request.source_sha256 = source
        request.requested_at = timezone.now()
        request.started_at = None
        request.attempts = 0
        request.refused = ""
        request.save()
        return request, True
    return request, False


def _request_done(key: dict[str, Any], source: str | None) -> None:
    """The paper of `source` is stored (or, with None, there is nothing to render): no render is owed."""
    done = PaperRender.objects.filter(**key)
    (done if source is None else done.filter(source_sha256=source)).delete()


def _refuse(key: dict[str, Any], source: str, reason: str) -> None:
    with transaction.atomic():
        request, _ = _locked_request(key, source)
        request.refused = reason
        request.started_at = None
        request.save(update_fields=["refused", "started_at"])


def _claim(key: dict[str, Any], source: str) -> str:
    """Take the render of this data for this worker: "" when taken; otherwise "in_flight" (another
    worker is rendering it within the time limit) or "refused" (marked as not renderable)."""
    now = timezone.now()
    running_since = now - timedelta(
        seconds=settings.EXPORTAI_PAPER_RENDER_SECONDS + PAPER_HARD_LIMIT_MARGIN_SECONDS
    )
    with transaction.atomic():
        request, _ = _locked_request(key, source)
        if request.refused:
            return "refused"
        if request.started_at is not None and request.started_at > running_since:
            return "in_flight"
        if request.attempts >= settings.EXPORTAI_PAPER_RENDER_ATTEMPTS:
            # Every attempt ran out of time (or its worker died): stop retrying, say why.
            request.refused = _attempts_spent(request.attempts)
            request.started_at = None
            request.save(update_fields=["refused", "started_at"])
            return "refused"
        request.started_at = now
        request.attempts += 1
        request.save(update_fields=["started_at", "attempts"])
    return ""


def _release(key: dict[str, Any], source: str) -> None:
    """An attempt failed (an error, the soft time limit): the sweeper sends it again later."""
    PaperRender.objects.filter(**key, source_sha256=source).update(started_at=None)


def generated_render(*, proposal_id: int, kind: str, subject_id: int = 0) -> str | None:
    """Render and store the paper unless the stored one is current.

    Returns "rendered", "current", "not_applicable" (e.g. never submitted), "in_flight" (another
    worker is rendering the same data), "refused" (its data is too large, or every attempt ran out of
    time), or None (no such proposal or kind).
    """
    key: dict[str, Any] = {"proposal_id": proposal_id, "kind": kind, "subject_id": subject_id}
    paper = PAPERS.get(kind)
    proposal = Proposal.objects.select_related("consortium").filter(pk=proposal_id).first()
    if paper is None or proposal is None:
        log.info("nothing to render: proposal %s, kind %s", proposal_id, kind)
        return None
    context = paper_context(paper, proposal, subject_id)
    if context is None:
        _request_done(key, None)
        return "not_applicable"
    canonical = canonical_source(context)
    source = hashlib.sha256(canonical.encode()).hexdigest()
    if GeneratedDocument.objects.filter(**key, source_sha256=source).exists():
        _request_done(key, source)
        return "current"
    if reason := _too_large(canonical):
        _refuse(key, source, reason)
        log.warning("not rendering %s of proposal %s: %s", kind, proposal_id, reason)
        return "refused"
    if claim := _claim(key, source):
        return claim
    # Rendering takes seconds: do it outside the transaction, then lock and store.
    try:
        pdf = render_pdf(paper.template, context)
    except BaseException:
        _release(key, source)
        raise
    checksum = hashlib.sha256(pdf.content).hexdigest()
    with transaction.atomic():
        _request_done(key, source)
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
    """What a download finds: the current paper, or that it is being prepared, or that it cannot be
    (`reason` says why), or that there is none."""

    state: str  # "ready", "pending", "refused" or "unavailable"
    document: GeneratedDocument | None = None
    reason: str = ""


def generated_lookup(*, proposal: Proposal, kind: str, subject_id: int = 0) -> PaperLookup:
    """The stored paper if it matches its source now; otherwise "pending", with one render requested.

    However many downloads ask while the paper is prepared, one render is queued: the first request
    for this data records it (PaperRender) and enqueues it on commit; later ones find the record. A
    render whose message was lost is sent again by the sweeper, not by the next download.
    The caller has already checked that the user may see the proposal and the paper.
    """
    paper = PAPERS.get(kind)
    if paper is None or (subject_id and not paper.per_subject):
        return PaperLookup("unavailable")
    context = paper_context(paper, proposal, subject_id)
    if context is None:
        return PaperLookup("unavailable")
    canonical = canonical_source(context)
    source = hashlib.sha256(canonical.encode()).hexdigest()
    doc = GeneratedDocument.objects.filter(
        proposal=proposal, kind=kind, subject_id=subject_id, source_sha256=source
    ).first()
    if doc is not None:
        return PaperLookup("ready", doc)
    key: dict[str, Any] = {"proposal_id": proposal.pk, "kind": kind, "subject_id": subject_id}
    with transaction.atomic():
        request, new = _locked_request(key, source)
        if new and (reason := _too_large(canonical)):
            request.refused = reason
            request.save(update_fields=["refused"])
        elif new:
            enqueue_on_commit(RENDER_TASK, proposal_id=proposal.pk, kind=kind, subject_id=subject_id)
    if request.refused:
        return PaperLookup("refused", reason=request.refused)
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


def dossier_package(*, proposal: Proposal, user: Any) -> tuple[PaperLookup, IO[bytes] | None]:
    """One ZIP: the current dossier, the attachments of its revision, and the letters the user may see.

    Returns the dossier's lookup and an open temporary file positioned at the start, or no file while
    the dossier is being prepared (a render has been requested) or cannot be (the lookup says why).
    """
    lookup = generated_lookup(proposal=proposal, kind=GeneratedKind.DOSSIER)
    if lookup.document is None:
        return lookup, None
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
    return lookup, out


def generated_render_request(*, render_id: int) -> str | None:
    """Render the paper a PaperRender row asks for (None when the row is gone: the paper was stored)."""
    request = PaperRender.objects.filter(pk=render_id).values("proposal_id", "kind", "subject_id").first()
    if request is None:
        return None
    return generated_render(**request)
