"""The documents section: upload (checked from the bytes by the documents service), list, download, remove."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods, require_POST

from proposals.core.enums import DocumentCategory, Section
from proposals.core.errors import ApplicationError
from proposals.core.web.access import ensure_editable, refused, run_service, saved
from proposals.documents.services.uploads import document_add, document_delete
from proposals.intake.models.proposal import Document, Proposal
from proposals.intake.selectors import access_proposal
from proposals.intake.web.forms import DocumentForm
from proposals.intake.web.layout import render_section, section_url


def _page(
    request: HttpRequest, proposal: Proposal, form: DocumentForm | None = None, **extra: object
) -> HttpResponse:
    docs = list(proposal.documents.select_related("uploaded_by").order_by("category", "pk"))
    categories = [
        {"value": c.value, "label": c.label, "documents": [d for d in docs if d.category == c]}
        for c in DocumentCategory
    ]
    return render_section(
        request,
        proposal,
        Section.DOCUMENTS,
        "proposals/section_documents.html",
        form=form or DocumentForm(),
        categories=categories,
        **extra,
    )


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    if request.method != "POST":
        return _page(request, proposal)
    url = section_url(pk, Section.DOCUMENTS)
    try:
        ensure_editable(request, proposal)
    except ApplicationError as exc:
        return refused(request, exc, url)
    form = DocumentForm(request.POST, request.FILES)
    if not run_service(
        form,
        lambda: document_add(
            proposal_id=pk,
            actor=request.user,
            category=form.cleaned_data["category"],
            upload=form.cleaned_data["file"],
        ),
    ):
        return _page(request, proposal, form)
    return saved(
        request,
        message="Document uploaded.",
        url=url,
        render=lambda **kw: _page(request, access_proposal(request.user, pk), **kw),
    )


@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """Serve a document to those who may see the proposal, under the name it was uploaded with."""
    proposal = access_proposal(request.user, pk)
    doc = get_object_or_404(Document, pk=doc_pk, proposal=proposal)
    return FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    get_object_or_404(Document, pk=doc_pk, proposal=proposal)
    url = section_url(pk, Section.DOCUMENTS)
    try:
        document_delete(proposal_id=pk, actor=request.user, pk=doc_pk)
    except ApplicationError as exc:
        return refused(request, exc, url)
    return saved(
        request,
        message="Document removed.",
        url=url,
        render=lambda **kw: _page(request, access_proposal(request.user, pk), **kw),
    )
