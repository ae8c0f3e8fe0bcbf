"""Editor sections for the proposal's own fields: overview, financing, and the consortium (read only)."""

import copy

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from proposals.core.enums import Section
from proposals.core.errors import ApplicationError
from proposals.core.web.access import ensure_editable, refused, run_service, saved
from proposals.core.web.concurrency import opened_version
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.intake.services.drafting import proposal_update
from proposals.intake.web.forms import FinancingForm, OverviewForm, PortalModelForm
from proposals.intake.web.layout import render_section, section_url

FIELD_SECTIONS: dict[str, tuple[type[PortalModelForm], str]] = {
    Section.OVERVIEW: (OverviewForm, "proposals/section_overview.html"),
    Section.FINANCING: (FinancingForm, "proposals/section_financing.html"),
}


def proposal_fields_save(request: HttpRequest, pk: int, form: PortalModelForm) -> bool:
    """Save a form of the proposal's own fields through proposal_update: all or nothing, at the version
    the form was opened at. False leaves the errors (or a stale save's differences) on the form."""
    return run_service(
        form,
        lambda: proposal_update(
            proposal_id=pk,
            actor=request.user,
            data=form.service_data(),
            expected_version=opened_version(form),
        ),
    )


def _fields_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """GET shows the section; POST saves its fields through proposal_update (all or nothing)."""
    form_class, template = FIELD_SECTIONS[section]
    proposal = access_proposal(request.user, pk)
    url = section_url(pk, section)

    def page(form: PortalModelForm | None = None, *, reload: bool = False, **extra: object) -> HttpResponse:
        shown = Proposal.objects.select_related("consortium", "call").get(pk=pk) if reload else proposal
        # The form works on a copy so that rejected input never shows up as if it were saved.
        form = form or form_class(instance=copy.copy(shown))
        return render_section(request, shown, section, template, form=form, **extra)

    if request.method == "POST":
        try:
            ensure_editable(request, proposal)
        except ApplicationError as exc:
            return refused(request, exc, url)
        form = form_class(request.POST, instance=copy.copy(proposal))
        if not proposal_fields_save(request, pk, form):
            return page(form)
        return saved(
            request,
            message=f"{Section(section).label} saved.",
            url=url,
            render=lambda **kw: page(reload=True, **kw),
        )
    return page()


@login_required
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    return _fields_section(request, pk, Section.OVERVIEW)


@login_required
@require_http_methods(["GET", "POST"])
def financing(request: HttpRequest, pk: int) -> HttpResponse:
    return _fields_section(request, pk, Section.FINANCING)


@login_required
def consortium(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal(request.user, pk)
    members = proposal.consortium.members.select_related("company").order_by("-role", "company__legal_name")
    return render_section(
        request,
        proposal,
        Section.CONSORTIUM,
        "proposals/section_consortium.html",
        members=members,
        # Reviewers read the members here; only the consortium's own users have its Members page.
        members_page=request.user.has_perm("proposals.view_consortium_members", proposal.consortium),
    )
