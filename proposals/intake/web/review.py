"""Review and submit, withdraw, the timeline, and the two htmx partials (checklist, status)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from proposals.core.enums import Section
from proposals.core.errors import ApplicationError, InvalidInput, SubmissionIncomplete
from proposals.core.web.access import apply_service_errors, refused
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.completeness import Finding
from proposals.intake.selectors import access_proposal, proposal_timeline_for, review_progress
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.web.forms import WithdrawForm
from proposals.intake.web.layout import (
    PROGRESS,
    TIMELINE,
    checklist_context,
    checklist_entries,
    render_section,
    section_url,
    status_context,
)


def _review_page(request: HttpRequest, proposal: Proposal, **extra: Any) -> HttpResponse:
    extra.setdefault("withdraw_form", WithdrawForm())
    latest = proposal.revisions.order_by("-number").only("number", "created_at").first()
    return render_section(
        request, proposal, Section.SUBMIT, "proposals/section_submit.html", latest_revision=latest, **extra
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the review page. POST: submit through the one transition path (the anchor's lead only)."""
    proposal = access_proposal(request.user, pk)
    if request.method != "POST":
        return _review_page(request, proposal)
    try:
        proposal = proposal_transition(proposal_id=pk, action="submit", actor=request.user)
    except SubmissionIncomplete as exc:
        # The refusal lists what to fix, each linked to its field.
        refusal = checklist_entries(pk, [Finding(**f) for f in exc.extra["findings"]])
        return _review_page(request, proposal, refusal=refusal, refusal_message=exc.message)
    except ApplicationError as exc:
        return refused(request, exc, section_url(pk, Section.SUBMIT))
    messages.success(
        request, f"Submitted as revision {proposal.revision_number}. Automated intake is checking it now."
    )
    return redirect(section_url(pk, Section.SUBMIT))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        proposal_transition(
            proposal_id=pk, action="withdraw", actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except InvalidInput as exc:
        apply_service_errors(form, exc)
        return _review_page(request, proposal, withdraw_form=form)
    except ApplicationError as exc:
        return refused(request, exc, section_url(pk, Section.SUBMIT))
    messages.success(request, "The proposal was withdrawn.")
    return redirect(section_url(pk, Section.SUBMIT))


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The consortium's view of the federal review: license gates decided, the EXIM deal's stage."""
    proposal = access_proposal(request.user, pk)
    return render_section(
        request, proposal, PROGRESS, "proposals/progress.html", progress=review_progress(proposal)
    )


@login_required
@require_GET
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    events = proposal_timeline_for(request.user, proposal)
    return render_section(request, proposal, TIMELINE, "proposals/timeline.html", events=events)


@login_required
@require_GET
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist partial htmx reloads after each save."""
    proposal = access_proposal(request.user, pk)
    return render(request, "proposals/_checklist.html", {"proposal": proposal, **checklist_context(proposal)})


@login_required
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status badge htmx polls during automated intake; a change reloads the whole page."""
    proposal = access_proposal(request.user, pk)
    was = request.GET.get("was")
    if request.htmx and was and was != proposal.status:
        return HttpResponseClientRefresh()
    return render(request, "proposals/_status.html", {"proposal": proposal, **status_context(proposal)})
