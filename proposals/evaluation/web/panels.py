"""Evaluation pages: the panel list, the panel page (members, clock, the member's declaration and score
sheet, the officer's forms) and forming a panel.

Views parse input, call a selector or a service, and render; they decide nothing themselves. Every form
on the panel page posts through `_panel_post`, which folds onto the pages' shared helpers
(`core.web.access.run_service` and `refused`).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.permissions import is_program_admin
from proposals.core.policy.text import NOTE_MAX_CHARS, SECTION_MAX_CHARS
from proposals.core.web.access import permission_required, refused, run_service
from proposals.core.web.fields import text_field
from proposals.evaluation import services
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.selectors import (
    access_panel,
    aggregate_visible_to,
    panel_clock,
    panel_list_for,
    panel_members,
    proposals_awaiting_panel,
    scores_visible_to,
    seat_of,
)
from proposals.evaluation.workflow import DETERMINATIONS, PANEL_TRANSITIONS
from proposals.intake.selectors import access_proposal

WORKSPACE = "proposals.evaluation_workspace"


def _text_area(max_chars: int, label: str, *, required: bool = True) -> forms.CharField:
    """A text box of the panel page's forms (three rows, in the design system's style), bounded by the
    one text rule."""
    return text_field(
        max_chars,
        multiline=True,
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"}),
    )


class PanelPageForm(forms.Form):
    """A form on the panel page: its ids start with `id_prefix`, since several forms there have a field
    of the same name (a label must name one field)."""

    id_prefix = "panel"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ConflictForm(PanelPageForm):
    id_prefix = "conflict"

    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with this proposal, its consortium or its members?",
        choices=[("no", "No conflict"), ("yes", "I have a conflict (I will be recused)")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    statement = _text_area(NOTE_MAX_CHARS, "Describe the conflict", required=False)


class SummaryForm(PanelPageForm):
    id_prefix = "summary"

    summary = _text_area(SECTION_MAX_CHARS, "Panel summary (internal)")
    public_summary = _text_area(
        NOTE_MAX_CHARS, "Public summary (shown on the register if designated)", required=False
    )


class DeterminationForm(PanelPageForm):
    id_prefix = "determination"

    decision = forms.ChoiceField(
        label="Determination",
        choices=[(a, PANEL_TRANSITIONS[a].label) for a in DETERMINATIONS],
        widget=forms.RadioSelect,
    )
    reason = _text_area(NOTE_MAX_CHARS, "Reasons")


class TransitionForm(PanelPageForm):
    id_prefix = "move"

    action = forms.ChoiceField(
        choices=[(a, t.label) for a, t in PANEL_TRANSITIONS.items() if a not in DETERMINATIONS]
    )
    reason = _text_area(NOTE_MAX_CHARS, "Reason", required=False)


def _criteria(panel: Any) -> list[Any]:
    return list(panel.rubric.criteria.order_by("order", "pk"))


class ScoreSheetForm(forms.Form):
    """A member's score sheet: a score and a comment per criterion of the panel's rubric. The service
    checks the scale and the comments; its errors, keyed by criterion code, land on the score fields."""

    submit = forms.TypedChoiceField(
        choices=[("0", "Save draft"), ("1", "Submit scores")],
        coerce=lambda value: value == "1",
        required=False,
    )

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"value-{c.code}"] = forms.CharField(label="Score", required=False, max_length=12)
            self.fields[f"comment-{c.code}"] = text_field(
                NOTE_MAX_CHARS, multiline=True, label="Comment", required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"criterion": c, "value": self[f"value-{c.code}"], "comment": self[f"comment-{c.code}"]}
            for c in self.criteria
        ]

    @staticmethod
    def save(*, panel: Any, actor: Any, data: dict[str, Any]) -> None:
        codes = [name.removeprefix("value-") for name in data if name.startswith("value-")]
        scores = {
            code: {"value": data[f"value-{code}"], "comment": data[f"comment-{code}"]} for code in codes
        }
        try:
            services.score_sheet_save(
                panel_id=panel.pk, actor=actor, scores=scores, submit=bool(data["submit"])
            )
        except InvalidInput as exc:  # the service names criteria; the form's fields are value-<code>
            fields = exc.extra.get("fields") or {}
            raise InvalidInput(
                exc.message, extra={"fields": {f"value-{k}": v for k, v in fields.items()}}
            ) from exc


def _score_form(panel: Any, seat: Any) -> ScoreSheetForm:
    """The member's sheet as saved so far."""
    own = {s.criterion_id: s for s in seat.scores.all()}
    criteria = _criteria(panel)
    initial: dict[str, Any] = {}
    for c in criteria:
        if c.pk in own:
            initial[f"value-{c.code}"], initial[f"comment-{c.code}"] = own[c.pk].value, own[c.pk].comment
    return ScoreSheetForm(initial=initial, criteria=criteria)


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
        "score_form": (forms_.get("score_form") or _score_form(panel, seat))
        if seat is not None and seat.has_conflict is False
        else None,
        "scores": scores_visible_to(panel, user),
        "aggregate": aggregate_visible_to(panel, user),
        "conflict_form": forms_.get("conflict_form") or ConflictForm(),
        "summary_form": forms_.get("summary_form")
        or SummaryForm(initial={"summary": panel.summary, "public_summary": panel.public_summary}),
        "determination_form": forms_.get("determination_form") or DeterminationForm(),
        "transition_form": forms_.get("transition_form") or TransitionForm(),
        "statuses": PanelStatus,
    }


@permission_required(WORKSPACE)
def panel_list(request: HttpRequest) -> HttpResponse:
    panels = list(panel_list_for(request.user)[:500])
    rows = [(panel, panel_clock(panel)) for panel in panels]
    context = {
        "rows": rows,
        "officer": is_program_admin(request.user),
        "awaiting": proposals_awaiting_panel(request.user),
    }
    return render(request, "evaluation/panels.html", context)


@permission_required(WORKSPACE)
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access_panel(request.user, pk)
    return render(request, "evaluation/panel.html", _context(request, panel))


def _panel_url(panel: Any) -> str:
    return reverse("evaluation-panel", kwargs={"pk": panel.pk})


def _panel_post(
    request: HttpRequest,
    pk: int,
    *,
    perm: str,
    form_key: str,
    build: Callable[[Any], forms.Form],
    act: Callable[[Any, dict[str, Any]], Any],
    done: Callable[[dict[str, Any]], tuple[str, str]],
) -> HttpResponse:
    """The one shape of a panel form's POST: parse, call the service, then go where `done` says.

    `build(panel)` makes the bound form; `act(panel, cleaned_data)` calls the service; `done(cleaned)`
    gives the success message and the URL to go to. Bad input (the form's or the service's field errors)
    re-renders the panel page with the errors beside the fields (400); any other refusal (the panel's
    state, the user's role) is a message on the panel page.
    """
    panel = access_panel(request.user, pk, perm=perm)
    form = build(panel)
    try:
        if run_service(form, lambda: act(panel, form.cleaned_data)):
            message, url = done(form.cleaned_data)
            messages.success(request, message)
            return redirect(url)
    except ApplicationError as exc:
        return refused(request, exc, _panel_url(panel))
    return render(request, "evaluation/panel.html", _context(request, panel, **{form_key: form}), status=400)


@require_POST
@permission_required(WORKSPACE)
def conflict_declaration(request: HttpRequest, pk: int) -> HttpResponse:
    def done(data: dict[str, Any]) -> tuple[str, str]:
        if data["has_conflict"]:  # recused: the panel is now a 404 for them
            return "Conflict declared: you are recused from this proposal.", reverse("evaluation-panels")
        return "No conflict declared.", reverse("evaluation-panel", kwargs={"pk": pk})

    return _panel_post(
        request,
        pk,
        perm="proposals.declare_conflict",
        form_key="conflict_form",
        build=lambda panel: ConflictForm(request.POST),
        act=lambda panel, data: services.conflict_declare(panel_id=panel.pk, actor=request.user, **data),
        done=done,
    )


@require_POST
@permission_required(WORKSPACE)
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel_post(
        request,
        pk,
        perm="proposals.score_panel",
        form_key="score_form",
        build=lambda panel: ScoreSheetForm(request.POST, criteria=_criteria(panel)),
        act=lambda panel, data: ScoreSheetForm.save(panel=panel, actor=request.user, data=data),
        done=lambda data: (
            "Scores submitted." if data["submit"] else "Scores saved as a draft.",
            reverse("evaluation-panel", kwargs={"pk": pk}),
        ),
    )


def _officer_view(
    form_class: type[forms.Form], form_key: str, service: Callable[..., Any], message: Callable[[dict], str]
) -> Callable[..., HttpResponse]:
    """A program officer's form on the panel page: the form's data go to `service` as they are."""

    @require_POST
    @permission_required(WORKSPACE)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _panel_post(
            request,
            pk,
            perm="proposals.run_panel",
            form_key=form_key,
            build=lambda panel: form_class(request.POST),
            act=lambda panel, data: service(panel_id=panel.pk, actor=request.user, **data),
            done=lambda data: (message(data), reverse("evaluation-panel", kwargs={"pk": pk})),
        )

    return view


panel_summary = _officer_view(
    SummaryForm, "summary_form", services.panel_summary_record, lambda data: "Panel summary recorded."
)
determination = _officer_view(
    DeterminationForm,
    "determination_form",
    services.panel_determine,
    lambda data: f"Determination recorded: {PANEL_TRANSITIONS[data['decision']].label}.",
)
panel_transition = _officer_view(
    TransitionForm,
    "transition_form",
    services.panel_transition,
    lambda data: f"{PANEL_TRANSITIONS[data['action']].label}: done.",
)


class PanelMembersForm(forms.Form):
    evaluators = forms.TypedMultipleChoiceField(label="Panel members", coerce=int, required=False)

    def __init__(self, *args: Any, everyone: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].choices = [(u.pk, str(u)) for u in everyone]


@permission_required("proposals.run_panel")
@require_http_methods(["GET", "POST"])
def panel_form(request: HttpRequest, proposal_pk: int) -> HttpResponse:
    """The officer forms the proposal's panel: the load-balanced suggestion is ticked; any evaluator
    may be chosen instead (manual override)."""
    proposal = access_proposal(request.user, proposal_pk)
    everyone = list(services.evaluators().order_by("agency", "username"))
    suggested = [u.pk for u in services.panel_suggestion()] if request.method == "GET" else []
    form = PanelMembersForm(request.POST or None, initial={"evaluators": suggested}, everyone=everyone)
    formed: list[Any] = []
    if request.method == "POST":
        try:
            if run_service(
                form,
                lambda: formed.append(
                    services.panel_form(
                        proposal_id=proposal.pk,
                        actor=request.user,
                        evaluator_ids=form.cleaned_data["evaluators"],
                    )
                ),
            ):
                messages.success(request, "Panel formed.")
                return redirect("evaluation-panel", pk=formed[0].pk)
        except ApplicationError as exc:
            return refused(request, exc, reverse("evaluation-panels"))
    chosen = set(form.cleaned_data["evaluators"]) if form.is_bound and form.is_valid() else set(suggested)
    context = {"proposal": proposal, "evaluators": everyone, "chosen": chosen, "form": form}
    return render(request, "evaluation/form_panel.html", context, status=400 if form.is_bound else 200)
