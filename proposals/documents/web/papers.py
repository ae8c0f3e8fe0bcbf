"""Web pages for generated papers (download, dossier package) and the user's email preference."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proposals.core.enums import GeneratedKind, NotificationFrequency
from proposals.documents.papers import PAPERS
from proposals.documents.services.generated import (
    PaperLookup,
    dossier_package,
    dossier_package_filename,
    generated_lookup,
    paper_filename,
)
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.notify.services import notification_frequency_of, notification_preference_set


def _pending(request: HttpRequest, proposal: Proposal, label: str, lookup: PaperLookup) -> HttpResponse:
    """Being prepared (202, the page reloads itself), or cannot be prepared and why (409)."""
    if lookup.state == "refused":
        context = {"proposal": proposal, "label": label, "reason": lookup.reason}
        return render(request, "papers/refused.html", context, status=409)
    return render(request, "papers/pending.html", {"proposal": proposal, "label": label}, status=202)


@login_required
def paper_download(request: HttpRequest, pk: int, kind: str, subject_id: int = 0) -> HttpResponse:
    paper = PAPERS.get(kind)
    if paper is None:
        raise Http404
    proposal = access_proposal(request.user, pk, perm=paper.permission)
    lookup = generated_lookup(proposal=proposal, kind=kind, subject_id=subject_id)
    if lookup.state == "unavailable":
        raise Http404
    if lookup.document is None:
        return _pending(request, proposal, GeneratedKind(kind).label, lookup)
    doc = lookup.document
    response = FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=paper_filename(doc), content_type="application/pdf"
    )
    response["X-Checksum-SHA256"] = doc.sha256
    return response


@login_required
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk, perm=PAPERS[GeneratedKind.DOSSIER].permission)
    if proposal.revision_number == 0:
        raise Http404
    lookup, package = dossier_package(proposal=proposal, user=request.user)
    if package is None:
        return _pending(request, proposal, "Dossier package", lookup)
    return FileResponse(
        package,
        as_attachment=True,
        filename=dossier_package_filename(proposal),
        content_type="application/zip",
    )


class NotificationPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Send me email", choices=NotificationFrequency.choices, widget=forms.RadioSelect
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferenceForm(
        request.POST or None, initial={"frequency": notification_frequency_of(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        notification_preference_set(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Your email preference is saved.")
        return redirect("notification-preferences")
    return render(request, "papers/notification_preferences.html", {"form": form})
