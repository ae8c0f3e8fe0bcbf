"""Program staff's pages for calls for proposals: the list, a call's settings, its rubric versions.

services.calls decides (who may write, what a valid call is, that a published rubric is never edited,
when a draft may be published); these views parse forms and show its refusals.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.web.access import permission_required, refused, run_service
from proposals.core.web.concurrency import opened_version, posted_version
from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.policy.calls import call_is_open
from proposals.intake.selectors import calls_with_counts
from proposals.intake.services.calls import (
    call_create,
    call_update,
    criterion_delete,
    criterion_save,
    rubric_draft_create,
    rubric_publish,
    rubric_update,
)
from proposals.intake.web.forms import CallForm, CriterionForm, RubricNotesForm

MANAGE = "proposals.manage_calls"


def _rubric_or_404(call_pk: int, version: int) -> Rubric:
    return get_object_or_404(Rubric.objects.select_related("call"), call_id=call_pk, version=version)


def _rubric_url(rubric: Rubric) -> str:
    return reverse("program-rubric", kwargs={"pk": rubric.call_id, "version": rubric.version})


def _attempt(request: HttpRequest, url: str, action: Callable[[], Any], success: str) -> HttpResponse:
    """Run a service for a button (no form): its refusal, or `success`, shown on the page at `url`."""
    try:
        action()
    except InvalidInput as exc:
        problems = [m for field_messages in (exc.extra.get("fields") or {}).values() for m in field_messages]
        messages.error(request, " ".join([exc.message, *problems]))
        return redirect(url)
    except ApplicationError as exc:
        return refused(request, exc, url)
    messages.success(request, success)
    return redirect(url)


@permission_required(MANAGE)
def call_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    calls = [(call, call_is_open(call, today)) for call in calls_with_counts()]
    return render(request, "program/calls.html", {"calls": calls})


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def call_new(request: HttpRequest) -> HttpResponse:
    form = CallForm(request.POST or None, initial={"required_layers": Call().required_layers})
    created: list[Call] = []
    if request.method == "POST" and run_service(
        form, lambda: created.append(call_create(actor=request.user, data=form.service_data()))
    ):
        messages.success(request, f"Call “{created[0].name}” created. Draft its rubric next.")
        return redirect("program-call", pk=created[0].pk)
    return render(request, "program/call_edit.html", {"form": form, "call": None})


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    form = CallForm(request.POST or None, initial=CallForm.initial_for(call), version=call.version)
    if request.method == "POST" and run_service(
        form,
        lambda: call_update(
            call_id=call.pk,
            actor=request.user,
            data=form.service_data(),
            expected_version=opened_version(form),
        ),
    ):
        messages.success(request, "Call saved.")
        return redirect("program-call", pk=call.pk)
    rubrics = call.rubrics.order_by("-version")
    return render(
        request,
        "program/call_edit.html",
        {
            "form": form,
            "call": call,
            "rubrics": rubrics,
            "has_draft": any(not r.is_published for r in rubrics),
            "proposal_count": call.proposals.count(),
        },
    )


@permission_required(MANAGE)
@require_POST
def rubric_new(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    drafted: list[Rubric] = []
    response = _attempt(
        request,
        reverse("program-call", kwargs={"pk": call.pk}),
        lambda: drafted.append(rubric_draft_create(call_id=call.pk, actor=request.user)),
        "New rubric version drafted from the latest one.",
    )
    return redirect(_rubric_url(drafted[0])) if drafted else response


def _rubric_page(request: HttpRequest, rubric: Rubric, **forms: Any) -> HttpResponse:
    criteria = list(rubric.criteria.all())
    context: dict[str, Any] = {
        "rubric": rubric,
        "call": rubric.call,
        "criteria": criteria,
        "total_weight": sum((c.weight for c in criteria), 0),
    }
    if not rubric.is_published:
        context["notes_form"] = forms.get("notes_form") or RubricNotesForm(initial={"notes": rubric.notes})
        context["criterion_form"] = forms.get("criterion_form") or CriterionForm(
            initial={"order": len(criteria) + 1}
        )
    return render(request, "program/rubric.html", context)


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def rubric_detail(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """A rubric version; while a draft, POST saves its notes (`notes`) or adds a criterion."""
    rubric = _rubric_or_404(pk, version)
    if request.method != "POST":
        return _rubric_page(request, rubric)
    url = _rubric_url(rubric)
    try:
        if "notes" in request.POST:
            notes_form = RubricNotesForm(request.POST)
            if run_service(
                notes_form,
                lambda: rubric_update(
                    rubric_id=rubric.pk, actor=request.user, notes=notes_form.cleaned_data["notes"]
                ),
            ):
                messages.success(request, "Notes saved.")
                return redirect(url)
            return _rubric_page(request, rubric, notes_form=notes_form)
        form = CriterionForm(request.POST)
        if run_service(
            form, lambda: criterion_save(rubric_id=rubric.pk, actor=request.user, data=form.service_data())
        ):
            messages.success(request, "Criterion added.")
            return redirect(url)
    except ApplicationError as exc:
        return refused(request, exc, url)
    return _rubric_page(request, rubric, criterion_form=form)


@permission_required(MANAGE)
@require_POST
def rubric_publish_view(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    rubric = _rubric_or_404(pk, version)
    return _attempt(
        request,
        _rubric_url(rubric),
        lambda: rubric_publish(rubric_id=rubric.pk, actor=request.user),
        f"Version {rubric.version} published: it is now the call's rubric and will not change.",
    )


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int, version: int, criterion_pk: int) -> HttpResponse:
    rubric = _rubric_or_404(pk, version)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, rubric=rubric)
    url = _rubric_url(rubric)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST":
        try:
            if run_service(
                form,
                lambda: criterion_save(
                    rubric_id=rubric.pk,
                    actor=request.user,
                    data=form.service_data(),
                    pk=criterion.pk,
                    expected_version=opened_version(form),
                ),
            ):
                messages.success(request, "Criterion saved.")
                return redirect(url)
        except ApplicationError as exc:
            return refused(request, exc, url)
    return render(
        request, "program/criterion_edit.html", {"form": form, "rubric": rubric, "criterion": criterion}
    )


@permission_required(MANAGE)
@require_POST
def criterion_remove(request: HttpRequest, pk: int, version: int, criterion_pk: int) -> HttpResponse:
    rubric = _rubric_or_404(pk, version)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, rubric=rubric)
    return _attempt(
        request,
        _rubric_url(rubric),
        lambda: criterion_delete(
            rubric_id=rubric.pk, actor=request.user, pk=criterion.pk, expected_version=posted_version(request)
        ),
        f"Criterion “{criterion.title}” removed.",
    )
