"""The EXIM officer's workspace: the pipeline (with CSV export), the ceiling dashboard, the deal page.

Views parse input, call a selector or a service, and render; they decide nothing themselves.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from proposals.commerce.selectors import commerce_clearance
from proposals.core.errors import ApplicationError, CommitmentRefused
from proposals.core.models.reference import ProgramSettings
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.core.web.access import permission_required
from proposals.core.web.fields import text_field
from proposals.exim import services as exim_service
from proposals.exim.models import TARGET_DATE_FIELDS, Deal
from proposals.exim.policy import financing as fin
from proposals.exim.selectors import (
    PipelinePaginator,
    access_deal,
    deal_pipeline,
    deal_timeline,
    exim_dashboard,
    pipeline_csv_lines,
    stage_benchmarks,
    stage_clock,
)
from proposals.exim.workflow import DEAL_TRANSITIONS
from proposals.search.enums import SearchList
from proposals.search.web import list_context

PAGE_SIZE = 50


class DealTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, t.label) for a, t in DEAL_TRANSITIONS.items()])
    reason = text_field(
        NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"})
    )


class TargetDateForm(forms.Form):
    field = forms.ChoiceField(
        label="Target date",
        choices=list(TARGET_DATE_FIELDS.items()),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
        help_text="Empty clears it.",
    )
    reason = text_field(
        NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"})
    )


@permission_required("proposals.view_deal")
def pipeline(request: HttpRequest) -> HttpResponse:
    filtered = deal_pipeline(request.user, request.GET)
    context = list_context(request, filtered, SearchList.EXIM_PIPELINE)
    if not filtered.is_valid():  # a bad filter value is an error on the form, never an empty list
        return render(request, "exim/pipeline.html", {**context, "invalid": True}, status=400)
    # Plain rows (named tuples), not model instances: the table shows values only.
    page = PipelinePaginator.of_filterset(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    benchmarks = stage_benchmarks()
    now = timezone.now()
    rows = [(row, stage_clock(row, benchmarks, now=now)) for row in page.object_list]
    return render(request, "exim/pipeline.html", {**context, "page": page, "rows": rows})


@permission_required("proposals.view_deal")
def pipeline_csv(request: HttpRequest) -> StreamingHttpResponse:
    filtered = deal_pipeline(request.user, request.GET)
    response = StreamingHttpResponse(pipeline_csv_lines(filtered.qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="exim-pipeline-{timezone.localdate()}.csv"'
    return response


@permission_required("proposals.view_exim_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "exim/dashboard.html", exim_dashboard())


def _deal_context(request: HttpRequest, deal: Deal, **forms_: Any) -> dict[str, Any]:
    program = ProgramSettings.current()
    findings = (deal.terms or {}).get("findings", [])
    clearance = commerce_clearance(proposal_id=deal.proposal_id)
    moves = exim_service.deal_move_options(deal, request.user, program=program, cleared=clearance.cleared)
    form = forms_.get("transition_form")
    chosen = form.data.get("action") if form is not None and form.is_bound else None
    return {
        "deal": deal,
        "proposal": deal.proposal,
        "terms": deal.terms or {},
        "findings": findings,
        "statuses": fin.Status,
        "clock": stage_clock(deal, program.deal_stage_benchmark_days or {}),
        # Only a move that can succeed is offered; the others are shown disabled, with their reasons.
        # Nothing is chosen in advance: only a move the officer chose and that came back with an error.
        "moves": moves,
        "chosen": chosen if any(m.possible and m.transition.action == chosen for m in moves) else None,
        "possible_moves": sum(m.possible for m in moves),
        "can_change": request.user.has_perm("proposals.change_deal"),
        "clearance": clearance,
        "timeline": deal_timeline(deal),
        "transition_form": forms_.get("transition_form") or DealTransitionForm(),
        "target_form": forms_.get("target_form") or TargetDateForm(),
        "target_dates": [(label, getattr(deal, name)) for name, label in TARGET_DATE_FIELDS.items()],
    }


@permission_required("proposals.view_deal")
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    return render(request, "exim/deal.html", _deal_context(request, deal))


@require_POST
@permission_required("proposals.change_deal")
def deal_transition(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    form = DealTransitionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "exim/deal.html", _deal_context(request, deal, transition_form=form), status=400
        )
    try:
        exim_service.deal_transition(
            deal_id=deal.pk,
            action=form.cleaned_data["action"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except CommitmentRefused:
        # Its reasons are on the page once, under the move; the message only says what happened.
        messages.error(request, "Final commitment was refused: the reasons are listed under the move.")
        return render(
            request, "exim/deal.html", _deal_context(request, deal, transition_form=form), status=409
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(
            request, "exim/deal.html", _deal_context(request, deal, transition_form=form), status=409
        )
    messages.success(request, f"{DEAL_TRANSITIONS[form.cleaned_data['action']].label}: done.")
    return redirect(deal)


@require_POST
@permission_required("proposals.change_deal")
def deal_target_date(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    form = TargetDateForm(request.POST)
    if not form.is_valid():
        return render(request, "exim/deal.html", _deal_context(request, deal, target_form=form), status=400)
    try:
        exim_service.deal_set_target_date(
            deal_id=deal.pk,
            field=form.cleaned_data["field"],
            value=form.cleaned_data["date"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "exim/deal.html", _deal_context(request, deal, target_form=form), status=409)
    messages.success(request, f"{TARGET_DATE_FIELDS[form.cleaned_data['field']]} updated.")
    return redirect(deal)
