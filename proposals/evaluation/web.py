"""Evaluation pages: the panel list, the panel page (members, clock, the member's declaration and score
sheet, the officer's forms), forming a panel; and the public register (page, CSV, Atom feed).

Views parse input, call a selector or a service, and render; they decide nothing themselves.
"""

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.permissions import is_program_admin
from proposals.core.web.access import permission_required
from proposals.evaluation import services
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.selectors import (
    REGISTER_FIELDS,
    RegisterEntry,
    access_panel,
    aggregate_visible_to,
    panel_clock,
    panel_list_for,
    panel_members,
    register_entries,
    scores_visible_to,
    seat_of,
)
from proposals.evaluation.workflow import DETERMINATIONS, PANEL_TRANSITIONS
from proposals.intake.selectors import access_proposal

WORKSPACE = "proposals.evaluation_workspace"
TEXTAREA = {"rows": 3, "class": "usa-textarea"}


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with this proposal, its consortium or its members?",
        choices=[("no", "No conflict"), ("yes", "I have a conflict (I will be recused)")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label="Describe the conflict", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Panel summary (internal)", max_length=20000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    public_summary = forms.CharField(
        label="Public summary (shown on the register if designated)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class DeterminationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Determination",
        choices=[(a, PANEL_TRANSITIONS[a].label) for a in DETERMINATIONS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reasons", max_length=4000, widget=forms.Textarea(attrs=TEXTAREA))


class TransitionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, t.label) for a, t in PANEL_TRANSITIONS.items() if a not in DETERMINATIONS]
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXTAREA)
    )


def _score_rows(panel: Any, seat: Any) -> list[dict[str, Any]]:
    own = {s.criterion_id: s for s in seat.scores.all()} if seat else {}
    return [
        {
            "criterion": c,
            "value": own[c.pk].value if c.pk in own else "",
            "comment": own[c.pk].comment if c.pk in own else "",
        }
        for c in panel.rubric.criteria.order_by("order", "pk")
    ]


def _context(request: HttpRequest, panel: Any, **forms_: Any) -> dict[str, Any]:
    user = request.user
    seat = seat_of(panel, user)
    officer = is_program_admin(user)
    return {
        "panel": panel,
        "proposal": panel.proposal,
        "clock": panel_clock(panel),
        "members": panel_members(panel),
        "seat": seat,
        "officer": officer,
        "can_declare": user.has_perm("proposals.declare_conflict", panel)
        and panel.status == PanelStatus.CONFLICTS,
        "can_score": user.has_perm("proposals.score_panel", panel)
        and panel.status == PanelStatus.SCORING
        and seat is not None
        and seat.submitted_at is None,
        "score_rows": _score_rows(panel, seat) if seat is not None and seat.has_conflict is False else [],
        "scores": scores_visible_to(panel, user),
        "aggregate": aggregate_visible_to(panel, user),
        "conflict_form": forms_.get("conflict_form") or ConflictForm(),
        "summary_form": forms_.get("summary_form")
        or SummaryForm(initial={"summary": panel.summary, "public_summary": panel.public_summary}),
        "determination_form": forms_.get("determination_form") or DeterminationForm(),
        "transition_form": forms_.get("transition_form") or TransitionForm(),
        "score_errors": forms_.get("score_errors") or {},
        "statuses": PanelStatus,
    }


@permission_required(WORKSPACE)
def panel_list(request: HttpRequest) -> HttpResponse:
    panels = list(panel_list_for(request.user)[:500])
    rows = [(panel, panel_clock(panel)) for panel in panels]
    return render(
        request, "evaluation/panels.html", {"rows": rows, "officer": is_program_admin(request.user)}
    )


@permission_required(WORKSPACE)
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk)
    return render(request, "evaluation/panel.html", _context(request, panel))


def _refused(request: HttpRequest, panel: Any, exc: ApplicationError, **forms_: Any) -> HttpResponse:
    if isinstance(exc, InvalidInput):
        for form in forms_.values():
            if isinstance(form, forms.Form):
                for name, errors in (exc.extra.get("fields") or {}).items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
    messages.error(request, exc.message)
    return render(
        request, "evaluation/panel.html", _context(request, panel, **forms_), status=exc.status_code
    )


@require_POST
@permission_required(WORKSPACE)
def conflict_declaration(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk, perm="proposals.declare_conflict")
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return render(
            request, "evaluation/panel.html", _context(request, panel, conflict_form=form), status=400
        )
    try:
        services.conflict_declare(panel_id=panel.pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, panel, exc, conflict_form=form)
    if form.cleaned_data["has_conflict"]:
        messages.success(request, "Conflict declared: you are recused from this proposal.")
        return redirect("evaluation-panels")
    messages.success(request, "No conflict declared.")
    return redirect("evaluation-panel", pk=panel.pk)


@require_POST
@permission_required(WORKSPACE)
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk, perm="proposals.score_panel")
    scores = {
        c.code: {
            "value": request.POST.get(f"value-{c.code}", "").strip(),
            "comment": request.POST.get(f"comment-{c.code}", ""),
        }
        for c in panel.rubric.criteria.all()
    }
    submit = request.POST.get("submit") == "1"
    try:
        services.score_sheet_save(panel_id=panel.pk, actor=request.user, scores=scores, submit=submit)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        errors = exc.extra.get("fields") or {}
        return render(
            request,
            "evaluation/panel.html",
            _context(request, panel, score_errors=errors),
            status=exc.status_code,
        )
    messages.success(request, "Scores submitted." if submit else "Scores saved as a draft.")
    return redirect("evaluation-panel", pk=panel.pk)


@require_POST
@permission_required(WORKSPACE)
def panel_summary(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk, perm="proposals.run_panel")
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return render(
            request, "evaluation/panel.html", _context(request, panel, summary_form=form), status=400
        )
    try:
        services.panel_summary_record(panel_id=panel.pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, panel, exc, summary_form=form)
    messages.success(request, "Panel summary recorded.")
    return redirect("evaluation-panel", pk=panel.pk)


@require_POST
@permission_required(WORKSPACE)
def determination(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk, perm="proposals.run_panel")
    form = DeterminationForm(request.POST)
    if not form.is_valid():
        return render(
            request, "evaluation/panel.html", _context(request, panel, determination_form=form), status=400
        )
    try:
        services.panel_determine(panel_id=panel.pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, panel, exc, determination_form=form)
    messages.success(
        request, f"Determination recorded: {PANEL_TRANSITIONS[form.cleaned_data['decision']].label}."
    )
    return redirect("evaluation-panel", pk=panel.pk)


@require_POST
@permission_required(WORKSPACE)
def panel_transition(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk, perm="proposals.run_panel")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "evaluation/panel.html", _context(request, panel, transition_form=form), status=400
        )
    try:
        services.panel_transition(panel_id=panel.pk, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, panel, exc, transition_form=form)
    messages.success(request, f"{PANEL_TRANSITIONS[form.cleaned_data['action']].label}: done.")
    return redirect("evaluation-panel", pk=panel.pk)


@permission_required("proposals.run_panel")
def panel_form(request: HttpRequest, proposal_pk: int) -> HttpResponse:
    """The officer forms the proposal's panel: the load-balanced suggestion is ticked; any evaluator
    may be chosen instead (manual override)."""
    proposal = access_proposal(request.user, proposal_pk)
    everyone = list(services.evaluators().order_by("agency", "username"))
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("evaluators") if v.isdigit()]
        try:
            panel = services.panel_form(proposal_id=proposal.pk, actor=request.user, evaluator_ids=chosen)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            context = {"proposal": proposal, "evaluators": everyone, "chosen": set(chosen)}
            return render(request, "evaluation/form_panel.html", context, status=exc.status_code)
        messages.success(request, "Panel formed.")
        return redirect("evaluation-panel", pk=panel.pk)
    suggested = {u.pk for u in services.panel_suggestion()}
    return render(
        request,
        "evaluation/form_panel.html",
        {"proposal": proposal, "evaluators": everyone, "chosen": suggested},
    )


# --- The public register (no sign-in) ----------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/register.html", {"entries": list(register_entries())})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_row(entry: RegisterEntry) -> list[str]:
    public = entry.public()
    cells = []
    for name in REGISTER_FIELDS:
        value = public[name]
        if name == "members":
            value = "; ".join(f"{m['name']} ({', '.join(m['layers'])})" for m in value)
        elif isinstance(value, list):
            value = "; ".join(value)
        text = str(value)
        cells.append("'" + text if text[:1] in ("=", "+", "-", "@") else text)  # no spreadsheet formulas
    return cells


def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(list(REGISTER_FIELDS))
        for entry in register_entries():
            yield writer.writerow(_csv_row(entry))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="priority-ai-export-packages.csv"'
    return response


class RegisterFeed(Feed):
    """Atom feed of designated packages, newest first."""

    feed_type = Atom1Feed
    title = "Priority AI export packages"
    subtitle = "Packages designated by the American AI Exports Program's national-interest determination."

    def link(self) -> str:
        return reverse("register")

    def items(self) -> list[RegisterEntry]:
        return list(register_entries())[:100]

    def item_title(self, item: RegisterEntry) -> str:
        return f"{item.title} ({item.consortium})"

    def item_description(self, item: RegisterEntry) -> str:
        members = "; ".join(f"{m['name']} ({', '.join(m['layers'])})" for m in item.members)
        countries = ", ".join(item.target_countries)
        return (
            f"{item.public_summary}\n\nMembers: {members}\nTarget countries: {countries}\nCall: {item.call}"
        )

    def item_link(self, item: RegisterEntry) -> str:
        return reverse("register") + f"#{item.reference}"

    def item_guid(self, item: RegisterEntry) -> str:
        return item.reference

    def item_pubdate(self, item: RegisterEntry) -> Any:
        return item.designated_at

    def item_updateddate(self, item: RegisterEntry) -> Any:
        return item.designated_at
