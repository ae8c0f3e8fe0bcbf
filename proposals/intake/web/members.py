"""The consortium's Members page: everyone in the consortium reads it; its lead adds, edits and removes.

The rules (one anchor, a company once, layers from the enum) are services.consortium's; this module
parses forms, calls the service and shows its refusals as field errors or messages.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from proposals.core.errors import ApplicationError
from proposals.core.web.access import run_service
from proposals.core.web.concurrency import opened_version, posted_version
from proposals.intake.models.consortium import Consortium, ConsortiumMember
from proposals.intake.selectors import consortia_visible_to, consortium_members
from proposals.intake.services.consortium import member_add, member_make_anchor, member_remove, member_update
from proposals.intake.web.forms import ExistingMemberForm, MemberCompanyForm, owners_initial

NEW_PREFIX = "new"
EXISTING_PREFIX = "existing"


def _consortium_or_404(request: HttpRequest, consortium_pk: int) -> Consortium:
    return get_object_or_404(consortia_visible_to(request.user), pk=consortium_pk)


def _member_or_404(consortium: Consortium, member_pk: int) -> ConsortiumMember:
    return get_object_or_404(consortium_members(consortium_id=consortium.pk), pk=member_pk)


def _list_url(consortium: Consortium) -> str:
    return reverse("consortium-members", kwargs={"consortium_pk": consortium.pk})


def _can_change(request: HttpRequest, consortium: Consortium) -> bool:
    return request.user.has_perm("proposals.change_consortium_members", consortium)


def _ensure_lead(request: HttpRequest, consortium: Consortium) -> None:
    if not _can_change(request, consortium):
        raise PermissionDenied("Only the consortium's lead can change its members.")


def _members_page(request: HttpRequest, consortium: Consortium, **forms: Any) -> HttpResponse:
    can_change = _can_change(request, consortium)
    context = {
        "consortium": consortium,
        "members": consortium_members(consortium_id=consortium.pk),
        "can_change": can_change,
    }
    if can_change:
        context["new_form"] = forms.get("new_form") or MemberCompanyForm(prefix=NEW_PREFIX)
        context["existing_form"] = forms.get("existing_form") or ExistingMemberForm(prefix=EXISTING_PREFIX)
    return render(request, "proposals/members.html", context)


@login_required
def consortia(request: HttpRequest) -> HttpResponse:
    """The consortia the user acts for, each with a link to its members."""
    return render(request, "proposals/consortia.html", {"consortia": consortia_visible_to(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, consortium_pk: int) -> HttpResponse:
    """GET lists the members; POST adds a new company as a member (the lead only)."""
    consortium = _consortium_or_404(request, consortium_pk)
    if request.method != "POST":
        return _members_page(request, consortium)
    _ensure_lead(request, consortium)
    form = MemberCompanyForm(request.POST, prefix=NEW_PREFIX)
    if not run_service(
        form,
        lambda: member_add(
            consortium_id=consortium.pk,
            actor=request.user,
            role=form.cleaned_data["role"],
            layers=form.cleaned_data["layers"],
            company=form.company_data(),
        ),
    ):
        return _members_page(request, consortium, new_form=form)
    messages.success(request, f"{form.cleaned_data['legal_name']} added as a member.")
    return redirect(_list_url(consortium))


@login_required
@require_POST
def member_add_existing(request: HttpRequest, consortium_pk: int) -> HttpResponse:
    """Add a company already on file, by its legal name (the lead only)."""
    consortium = _consortium_or_404(request, consortium_pk)
    _ensure_lead(request, consortium)
    form = ExistingMemberForm(request.POST, prefix=EXISTING_PREFIX)
    if not run_service(
        form,
        lambda: member_add(
            consortium_id=consortium.pk,
            actor=request.user,
            role=form.cleaned_data["role"],
            layers=form.cleaned_data["layers"],
            existing_company=form.cleaned_data["existing_company"],
        ),
    ):
        return _members_page(request, consortium, existing_form=form)
    messages.success(request, f"{form.cleaned_data['existing_company']} added as a member.")
    return redirect(_list_url(consortium))


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, consortium_pk: int, member_pk: int) -> HttpResponse:
    """Edit a member's role and layers and its company's details (the lead only)."""
    consortium = _consortium_or_404(request, consortium_pk)
    member = _member_or_404(consortium, member_pk)
    _ensure_lead(request, consortium)
    company = member.company
    initial = {
        "role": member.role,
        "layers": member.layers,
        "legal_name": company.legal_name,
        "country_of_incorporation": company.country_of_incorporation_id,
        "principal_place_of_business": company.principal_place_of_business_id,
        "ultimate_parent": company.ultimate_parent,
        "ultimate_parent_country": company.ultimate_parent_country_id,
        "owners": owners_initial(company),
    }
    form = MemberCompanyForm(request.POST or None, initial=initial, version=member.version)
    if request.method == "POST":
        try:
            if run_service(
                form,
                lambda: member_update(
                    consortium_id=consortium.pk,
                    member_id=member.pk,
                    actor=request.user,
                    data={
                        "role": form.cleaned_data["role"],
                        "layers": form.cleaned_data["layers"],
                        **form.company_data(),
                    },
                    expected_version=opened_version(form),
                ),
            ):
                messages.success(request, f"{form.cleaned_data['legal_name']} saved.")
                return redirect(_list_url(consortium))
        except ApplicationError as exc:  # demoting the anchor: say why at the top of the form
            form.add_error("role", exc.message)
    return render(
        request,
        "proposals/member_edit.html",
        {"consortium": consortium, "member": member, "form": form, "back_url": _list_url(consortium)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_delete(request: HttpRequest, consortium_pk: int, member_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the member (the lead only; never the anchor)."""
    consortium = _consortium_or_404(request, consortium_pk)
    member = _member_or_404(consortium, member_pk)
    _ensure_lead(request, consortium)
    if request.method == "POST":
        try:
            member_remove(
                consortium_id=consortium.pk,
                member_id=member.pk,
                actor=request.user,
                expected_version=posted_version(request),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{member.company.legal_name} removed from the consortium.")
        return redirect(_list_url(consortium))
    return render(
        request,
        "proposals/member_delete.html",
        {"consortium": consortium, "member": member, "back_url": _list_url(consortium)},
    )


@login_required
@require_POST
def member_anchor(request: HttpRequest, consortium_pk: int, member_pk: int) -> HttpResponse:
    """Hand the anchor role to this member; the current anchor becomes a partner in the same step."""
    consortium = _consortium_or_404(request, consortium_pk)
    member = _member_or_404(consortium, member_pk)
    _ensure_lead(request, consortium)
    try:
        member_make_anchor(consortium_id=consortium.pk, member_id=member.pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member.company.legal_name} is now the anchor member.")
    return redirect(_list_url(consortium))
