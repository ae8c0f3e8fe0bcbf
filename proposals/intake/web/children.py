"""Editor sections for the proposal's lists: sites, line items by layer, parties and the end use."""

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from proposals.core.enums import Layer, PartyRole, Section
from proposals.core.errors import ApplicationError
from proposals.core.web.access import ensure_editable, refused, run_service, saved
from proposals.core.web.concurrency import opened_version, posted_version
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.intake.selectors import access_proposal
from proposals.intake.services.drafting import child_delete, child_save
from proposals.intake.web.editor import proposal_fields_save
from proposals.intake.web.forms import EndUseForm, LineItemForm, PartyForm, PortalModelForm, SiteForm
from proposals.intake.web.layout import render_section, section_url


@dataclass(frozen=True)
class Kind:
    """One kind of child the drafting service saves (`child_save(kind=...)`)."""

    name: str
    model: type[models.Model]
    section: str
    form_class: type[PortalModelForm]
    template: str
    noun: str

    def form(self, proposal: Proposal, *args: Any, **kwargs: Any) -> PortalModelForm:
        if self.form_class is LineItemForm:
            kwargs["proposal"] = proposal
        return self.form_class(*args, **kwargs)


KINDS = {
    "site": Kind("site", Site, Section.SITES, SiteForm, "proposals/section_sites.html", "Site"),
    "item": Kind("item", LineItem, Section.ITEMS, LineItemForm, "proposals/section_items.html", "Line item"),
    "party": Kind("party", Party, Section.PARTIES, PartyForm, "proposals/section_parties.html", "Party"),
}


def _layers(proposal: Proposal) -> dict[str, Any]:
    """The line items grouped by layer, all six layers shown, with value totals for display."""
    items = list(proposal.line_items.select_related("site", "origin_country").order_by("layer", "pk"))
    layers = []
    for layer in Layer:
        rows = [item for item in items if item.layer == layer]
        layers.append(
            {
                "value": layer.value,
                "label": layer.label,
                "items": rows,
                "total": sum((i.total_value for i in rows), Decimal("0")),
                "us_total": sum((i.us_origin_value for i in rows), Decimal("0")),
            }
        )
    return {
        "layers": layers,
        "items_total": sum((i.total_value for i in items), Decimal("0")),
        "items_us_total": sum((i.us_origin_value for i in items), Decimal("0")),
        "item_count": len(items),
    }


def _parties(proposal: Proposal) -> dict[str, Any]:
    parties = list(
        proposal.parties.select_related("country", "headquarters_country", "ultimate_parent_country")
        .prefetch_related("owners")
        .order_by("role", "pk")
    )
    return {
        "roles": [
            {"value": role.value, "label": role.label, "parties": [p for p in parties if p.role == role]}
            for role in PartyRole
        ]
    }


def section_page(
    request: HttpRequest,
    proposal: Proposal,
    kind: Kind,
    *,
    form: PortalModelForm | None = None,
    end_use_form: EndUseForm | None = None,
    **extra: Any,
) -> HttpResponse:
    """A list section: its rows, the add form, and (for parties) the end-use statement."""
    context: dict[str, Any] = {"form": form or kind.form(proposal, prefix=kind.name), "kind": kind}
    if kind.name == "site":
        context["sites"] = proposal.sites.select_related("country").order_by("pk")
    elif kind.name == "item":
        context.update(_layers(proposal))
    else:
        context.update(_parties(proposal))
        # A copy, so rejected input never shows as saved; it carries the proposal's version.
        context["end_use_form"] = end_use_form or EndUseForm(instance=copy.copy(proposal))
    return render_section(request, proposal, kind.section, kind.template, **context, **extra)


def _reloaded(request: HttpRequest, pk: int, kind: Kind) -> Any:
    def page(**extra: Any) -> HttpResponse:
        return section_page(request, access_proposal(request.user, pk), kind, **extra)

    return page


def _list_section(request: HttpRequest, pk: int, kind: Kind) -> HttpResponse:
    """GET shows the list; POST adds one child through child_save."""
    proposal = access_proposal(request.user, pk)
    if request.method != "POST":
        return section_page(request, proposal, kind)
    url = section_url(pk, kind.section)
    try:
        ensure_editable(request, proposal)
    except ApplicationError as exc:
        return refused(request, exc, url)
    form = kind.form(proposal, request.POST, prefix=kind.name)
    if not run_service(
        form,
        lambda: child_save(proposal_id=pk, actor=request.user, kind=kind.name, data=form.service_data()),
    ):
        return section_page(request, proposal, kind, form=form)
    return saved(request, message=f"{kind.noun} added.", url=url, render=_reloaded(request, pk, kind))


@login_required
@require_http_methods(["GET", "POST"])
def sites(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_section(request, pk, KINDS["site"])


@login_required
@require_http_methods(["GET", "POST"])
def items(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_section(request, pk, KINDS["item"])


@login_required
@require_http_methods(["GET", "POST"])
def parties(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_section(request, pk, KINDS["party"])


@login_required
@require_POST
def end_use(request: HttpRequest, pk: int) -> HttpResponse:
    """The end-use statement lives on the parties page; it saves through proposal_update."""
    proposal = access_proposal(request.user, pk)
    kind = KINDS["party"]
    url = section_url(pk, kind.section)
    try:
        ensure_editable(request, proposal)
    except ApplicationError as exc:
        return refused(request, exc, url)
    form = EndUseForm(request.POST, instance=copy.copy(proposal))
    if not proposal_fields_save(request, pk, form):
        return section_page(request, proposal, kind, end_use_form=form)
    return saved(request, message="End-use statement saved.", url=url, render=_reloaded(request, pk, kind))


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    """Edit one site, line item or party on its own page."""
    spec = KINDS[kind]
    proposal = access_proposal(request.user, pk)
    child = get_object_or_404(spec.model, pk=child_pk, proposal=proposal)
    url = section_url(pk, spec.section)
    try:
        ensure_editable(request, proposal)
    except ApplicationError as exc:
        return refused(request, exc, url)
    form = spec.form(proposal, request.POST or None, instance=child)
    if request.method == "POST" and run_service(
        form,
        lambda: child_save(
            proposal_id=pk,
            actor=request.user,
            kind=kind,
            data=form.service_data(),
            pk=child_pk,
            expected_version=opened_version(form),
        ),
    ):
        messages.success(request, f"{spec.noun} saved.")
        return redirect(url)
    return render_section(
        request,
        proposal,
        spec.section,
        "proposals/child_edit.html",
        form=form,
        kind=spec,
        child=get_object_or_404(spec.model, pk=child_pk) if request.method == "POST" else child,
        back_url=url,
    )


@login_required
@require_POST
def child_remove(request: HttpRequest, pk: int, kind: str, child_pk: int) -> HttpResponse:
    spec = KINDS[kind]
    proposal = access_proposal(request.user, pk)
    get_object_or_404(spec.model, pk=child_pk, proposal=proposal)
    url = section_url(pk, spec.section)
    try:
        child_delete(
            proposal_id=pk,
            actor=request.user,
            kind=kind,
            pk=child_pk,
            expected_version=posted_version(request),
        )
    except ApplicationError as exc:
        return refused(request, exc, url)
    return saved(request, message=f"{spec.noun} removed.", url=url, render=_reloaded(request, pk, spec))
