"""Pages for drafts: delete a never-submitted draft (a confirmation page first), and copy a proposal
into a new draft of the user's consortium."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from proposals.core.errors import ApplicationError
from proposals.core.web.access import refused, run_service
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal, calls_open_on, consortia_for_new_proposal
from proposals.intake.services.drafts import proposal_copy, proposal_delete, proposal_deletion_refusal
from proposals.intake.web.forms import ProposalCreateForm


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what deleting would remove, or why it cannot be deleted. POST: delete (the lead only)."""
    proposal = access_proposal(request.user, pk)
    if not request.user.has_perm("proposals.delete_proposal", proposal):
        raise PermissionDenied("Only the consortium's lead can delete a draft.")
    if request.method == "POST":
        try:
            title = proposal_delete(proposal_id=proposal.pk, actor=request.user)
        except ApplicationError as exc:
            return refused(request, exc, request.path)
        messages.success(request, f"Draft “{title}” deleted.")
        return redirect("home")
    return render(
        request,
        "proposals/delete.html",
        {"proposal": proposal, "refusal": proposal_deletion_refusal(proposal)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft from this proposal: the user picks the title (and consortium, call if several)."""
    source = access_proposal(request.user, pk)
    consortia = consortia_for_new_proposal(request.user)
    if not consortia:
        raise PermissionDenied("Only a consortium's lead and editors can start a proposal.")
    calls = calls_open_on(timezone.localdate())
    initial = {"title": f"Copy of {source.title}"[:200]}
    if source.call_id in {c.pk for c in calls}:
        initial["call"] = source.call_id
    form = ProposalCreateForm(request.POST or None, consortia=consortia, calls=calls, initial=initial)
    made: list[Proposal] = []
    if request.method == "POST" and run_service(
        form,
        lambda: made.append(
            proposal_copy(
                proposal_id=source.pk,
                actor=request.user,
                consortium=form.cleaned_data["consortium"],
                call=form.cleaned_data["call"],
                title=form.cleaned_data["title"],
            )
        ),
    ):
        messages.success(
            request, f"New draft copied from “{source.title}”. Documents are not copied: attach them again."
        )
        return redirect(made[0].get_absolute_url())
    return render(request, "proposals/copy.html", {"source": source, "form": form, "calls": calls})
