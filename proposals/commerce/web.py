"""The Commerce reviewer's workspace: the queue, a proposal's Commerce track, decisions and RFIs."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from proposals.commerce.models import LicenseGate, ScreeningHit
from proposals.commerce.selectors import (
    CommerceQueueFilter,
    CommerceQueuePaginator,
    access_commerce_proposal,
    access_information_request,
    commerce_queue_for,
    commerce_track,
)
from proposals.commerce.services.review import (
    gate_decide,
    gates_decide_bulk,
    hit_adjudicate,
    information_request_answer,
    information_request_create,
    review_assign,
    review_auto_assign,
)
from proposals.commerce.services.screening import screening_request
from proposals.commerce.workflow import GATE_DECISIONS, GATE_TRANSITIONS, HIT_DECISIONS, HIT_TRANSITIONS
from proposals.core import page_cache
from proposals.core.enums import GateStatus, HitStatus, ProposalStatus
from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.permissions import is_consortium_editor
from proposals.core.policy.text import NOTE_MAX_CHARS
from proposals.core.web.access import permission_required, run_service
from proposals.core.web.fields import text_field
from proposals.exim.models import Deal
from proposals.intake.models.proposal import Proposal
from proposals.search.enums import SearchList
from proposals.search.web import list_context

PAGE_SIZE = 25


class GateDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label="Decision", choices=[(a, GATE_TRANSITIONS[a].label) for a in GATE_DECISIONS]
    )
    reason = text_field(NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 2}))
    conditions = text_field(
        NOTE_MAX_CHARS,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required for an approval with conditions.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if (
            action
            and GATE_TRANSITIONS[action].conditions_required
            and not (data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "State the conditions (provisos) of the approval.")
        return data


class BulkDecisionForm(GateDecisionForm):
    gates = forms.ModelMultipleChoiceField(
        label="Gates", queryset=LicenseGate.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gates"].queryset = proposal.license_gates.select_related("destination")
        self.fields["gates"].label_from_instance = lambda g: f"{g.eccn} to {g.destination.name}"


class HitAdjudicationForm(forms.Form):
    action = forms.ChoiceField(
        label="Decision", choices=[(a, HIT_TRANSITIONS[a].label) for a in HIT_DECISIONS]
    )
    reason = text_field(NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 2}))


class InformationRequestForm(forms.Form):
    question = text_field(NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_due_date(self) -> date:
        value = self.cleaned_data["due_date"]
        if value <= date.today():
            raise forms.ValidationError("The due date must be in the future.")
        return value


def _apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Service field errors onto the form; anything else as a form-wide error."""
    fields = exc.extra.get("fields", {}) if isinstance(exc, InvalidInput) else {}
    for name, errors in fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not fields:
        form.add_error(None, exc.message)


@permission_required("proposals.commerce_workspace")
def queue(request: HttpRequest) -> HttpResponse:
    # The decorator runs before the cache: a cached page is never served to a revoked user.
    return _queue_page(request)


@page_cache.cached_page(page_cache.COMMERCE_QUEUE)
def _queue_page(request: HttpRequest) -> HttpResponse:
    context, status = queue_context(request)
    return render(request, "commerce/queue.html", context, status=status)


def queue_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    """What the queue page shows (its filters, saved filters, page and rows, all read) and its status:
    400 when a filter value is one the queue does not know (an error on the form, never an empty
    result). bench/floor.py serves it without the template, to measure the rendering's share."""
    filterset = CommerceQueueFilter(request.GET, queryset=commerce_queue_for(request.user), request=request)
    context = list_context(request, filterset, SearchList.COMMERCE_QUEUE)
    if not filterset.is_valid():
        return {**context, "invalid": True}, 400
    page = CommerceQueuePaginator.of_filterset(filterset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {**context, "page": page, "rows": page.object_list}, 200


# Where each form on the proposal page lives: its fields' id prefix and suffix (commerce/_field.html),
# and the anchor of the form as a whole (for errors that belong to no one field).
def _form_place(forms_: dict[str, Any]) -> tuple[forms.Form | None, str, str, str]:
    if forms_.get("decision_form") is not None:
        pk = forms_["decision_gate_id"]
        return forms_["decision_form"], "gate-", str(pk), f"gate-{pk}-decide"
    if forms_.get("hit_form") is not None:
        pk = forms_["hit_id"]
        return forms_["hit_form"], "hit-", str(pk), f"hit-{pk}"
    if forms_.get("rfi_form") is not None:
        return forms_["rfi_form"], "rfi-", "", "rfi-form"
    if forms_.get("bulk_form") is not None:
        return forms_["bulk_form"], "bulk-", "", "bulk-decision"
    return None, "", "", ""


def error_summary(
    form: forms.Form | None, *, id_prefix: str, suffix: str, anchor: str
) -> list[dict[str, str]]:
    """The errors of the form posted, for the summary at the top of the page: each one links to its
    field (or to its form, for an error of the form as a whole, and to the gate list for the gates)."""
    if form is None or not form.is_bound:
        return []
    summary = []
    for name, errors in form.errors.items():
        if name == "gates":
            href, label = "#gates", "Gates"
        elif name == NON_FIELD_ERRORS or name not in form.fields:
            href, label = f"#{anchor}", ""
        else:
            href, label = f"#{id_prefix}{name}{suffix}", str(form.fields[name].label or name).capitalize()
        summary += [{"text": f"{label}: {e}" if label else str(e), "href": href} for e in errors]
    return summary


def _render_proposal(
    request: HttpRequest, proposal: Proposal, status: int = 200, **forms_: Any
) -> HttpResponse:
    track = commerce_track(proposal=proposal)
    posted, id_prefix, suffix, anchor = _form_place(forms_)
    bulk_form = forms_.get("bulk_form") or BulkDecisionForm(proposal=proposal)
    context = {
        "track": track,
        "proposal": proposal,
        "deal": Deal.objects.filter(proposal=proposal).only("pk", "terms_computed_at").first(),
        "open_gates": sum(g.status == GateStatus.OPEN for g in track.gates),
        "unresolved_hits": sum(h.status == HitStatus.UNRESOLVED for h in track.hits),
        "error_summary": error_summary(posted, id_prefix=id_prefix, suffix=suffix, anchor=anchor),
        "decision_form": forms_.get("decision_form") or GateDecisionForm(),
        "decision_gate_id": forms_.get("decision_gate_id"),
        "hit_form": forms_.get("hit_form") or HitAdjudicationForm(),
        "blank_hit_form": HitAdjudicationForm(),
        "blank_decision_form": GateDecisionForm(),
        "hit_id": forms_.get("hit_id"),
        "rfi_form": forms_.get("rfi_form") or InformationRequestForm(),
        "bulk_form": bulk_form,
        "bulk_selected": _selected_gates(bulk_form),
        "in_review": proposal.status == ProposalStatus.IN_REVIEW,
    }
    return render(request, "commerce/proposal.html", context, status=status)


def _selected_gates(form: forms.Form) -> set[int]:
    """The gates ticked in a bulk form that came back with errors, ticked again."""
    if not form.is_bound:
        return set()
    return {int(v) for v in form.data.getlist("gates") if str(v).isascii() and str(v).isdigit()}


@permission_required("proposals.commerce_workspace")
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_proposal(request, access_commerce_proposal(request.user, pk))


def _back(proposal: Proposal, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("commerce-proposal", kwargs={"pk": proposal.pk}) + anchor)


def _post_form(
    request: HttpRequest,
    proposal: Proposal,
    form: forms.Form,
    *,
    write: Callable[[dict[str, Any]], object],
    success: Callable[[dict[str, Any]], str],
    anchor: str = "",
    **page_forms: Any,
) -> HttpResponse:
    """A decision or question form posted from the proposal page: valid input goes to the service;
    done, a message and back to the page's section; refused or invalid, the page again (400) with the
    errors on the form (`page_forms` put it, and what it was for, back where it was)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, success(form.cleaned_data))
            return _back(proposal, anchor)
    return _render_proposal(request, proposal, 400, **page_forms)


@permission_required("proposals.commerce_workspace")
@require_POST
def gate_decision(request: HttpRequest, pk: int) -> HttpResponse:
    gate = get_object_or_404(LicenseGate.objects.select_related("destination"), pk=pk)
    proposal = access_commerce_proposal(request.user, gate.proposal_id)
    form = GateDecisionForm(request.POST)
    return _post_form(
        request,
        proposal,
        form,
        write=lambda data: gate_decide(gate_id=gate.pk, actor=request.user, **data),
        success=lambda data: (
            f"{gate.eccn} to {gate.destination.name}: "
            f"{GATE_TRANSITIONS[data['action']].label.lower()} recorded."
        ),
        anchor=f"#gate-{gate.pk}",
        decision_form=form,
        decision_gate_id=gate.pk,
    )


@permission_required("proposals.commerce_workspace")
@require_http_methods(["POST"])
def bulk_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """First POST shows the preview; the confirming POST (confirm=1) applies it."""
    proposal = access_commerce_proposal(request.user, pk)
    form = BulkDecisionForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return _render_proposal(request, proposal, 400, bulk_form=form)
    commit = request.POST.get("confirm") == "1"
    data = form.cleaned_data
    try:
        rows = gates_decide_bulk(
            gate_ids=[g.pk for g in data["gates"]],
            action=data["action"],
            actor=request.user,
            reason=data["reason"],
            conditions=data["conditions"],
            commit=commit,
        )
    except ApplicationError as exc:
        _apply_errors(form, exc)
        return _render_proposal(request, proposal, 400, bulk_form=form)
    if commit:
        done = sum(r.ok for r in rows)
        messages.success(request, f"{done} gate(s) decided; {len(rows) - done} left unchanged.")
        return _back(proposal, "#gates")
    return render(
        request,
        "commerce/bulk_preview.html",
        {"proposal": proposal, "form": form, "rows": rows, "label": GATE_TRANSITIONS[data["action"]].label},
    )


@permission_required("proposals.commerce_workspace")
@require_POST
def hit_adjudication(request: HttpRequest, pk: int) -> HttpResponse:
    hit = get_object_or_404(ScreeningHit, pk=pk)
    proposal = access_commerce_proposal(request.user, hit.proposal_id)
    form = HitAdjudicationForm(request.POST)
    return _post_form(
        request,
        proposal,
        form,
        write=lambda data: hit_adjudicate(hit_id=hit.pk, actor=request.user, **data),
        success=lambda data: (
            f'Screening hit "{hit.screened_name}": {HIT_TRANSITIONS[data["action"]].label.lower()}.'
        ),
        anchor=f"#hit-{hit.pk}",
        hit_form=form,
        hit_id=hit.pk,
    )


@permission_required("proposals.commerce_workspace")
@require_POST
def information_request(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_commerce_proposal(request.user, pk)
    form = InformationRequestForm(request.POST)
    return _post_form(
        request,
        proposal,
        form,
        write=lambda data: information_request_create(proposal_id=proposal.pk, actor=request.user, **data),
        success=lambda data: (
            "Question sent; the proposal is back with the consortium and the clock is paused."
        ),
        anchor="#rfis",
        rfi_form=form,
    )


@permission_required("proposals.commerce_workspace")
@require_POST
def screen_again(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_commerce_proposal(request.user, pk)
    try:
        screening_request(proposal_id=proposal.pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Screening queued: the hits below update when it has run.")
    return _back(proposal, "#screening")


@permission_required("proposals.commerce_workspace")
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """`who=me` assigns the reviewer; `who=auto` the least-loaded reviewer; a user id, that colleague."""
    proposal = access_commerce_proposal(request.user, pk)
    who = request.POST.get("who", "me")
    try:
        if who == "auto":
            review = review_auto_assign(proposal_id=proposal.pk)
        else:
            if who != "me" and not (who.isascii() and who.isdigit() and len(who) <= 18):
                raise ValueError(who)  # "²" is a digit to str.isdigit, and no user id has 19 digits
            reviewer_id = request.user.pk if who == "me" else int(who)
            review = review_assign(proposal_id=proposal.pk, reviewer_id=reviewer_id, actor=request.user)
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Choose a reviewer."))
    else:
        name = review.reviewer if review and review.reviewer_id else "nobody (no Commerce reviewer is active)"
        messages.success(request, f"Assigned to {name}.")
    next_url = request.POST.get("next", "")
    if next_url == "queue":
        return HttpResponseRedirect(reverse("commerce-queue"))
    return _back(proposal, "#reviewer")


# --- The consortium's side of a request for information ----------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none included); each is validated by the service as any other upload."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class InformationAnswerForm(forms.Form):
    answer = text_field(NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(
        required=False,
        label="Attach files (optional)",
        help_text="PDF, PNG, JPEG, DOCX or XLSX. They are added to the proposal's documents.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def information_request_answer_page(request: HttpRequest, pk: int, rfi_pk: int) -> HttpResponse:
    """The consortium reads one request and answers it (text and files); the reviewer sees the answer
    with the revision the consortium resubmits."""
    rfi = access_information_request(request.user, rfi_pk)
    if rfi.proposal_id != pk:
        raise Http404
    proposal = rfi.proposal
    may_answer = is_consortium_editor(request.user, proposal) and rfi.is_open
    form = InformationAnswerForm(initial={"answer": rfi.answer})
    if request.method == "POST":
        form = InformationAnswerForm(request.POST, request.FILES)
        try:
            answered = run_service(
                form,
                lambda: information_request_answer(
                    request_id=rfi.pk,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                    attachments=form.cleaned_data["attachments"],
                ),
            )
        except ApplicationError as exc:  # closed meanwhile, or not the user's to answer
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)
        if answered:
            messages.success(request, "Answer saved. Submit the proposal again to send it to the reviewer.")
            return HttpResponseRedirect(reverse("proposal-detail", kwargs={"pk": pk}) + "#requests")
    return render(
        request,
        "commerce/rfi_answer.html",
        {
            "proposal": proposal,
            "rfi": rfi,
            "form": form,
            "may_answer": may_answer,
            "attachments": list(rfi.attachments.all()),
        },
    )
