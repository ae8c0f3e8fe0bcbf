"""The signed-in landing page: a consortium's proposals, or (for now) agency staff's submitted list."""

from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from proposals.commerce.selectors import information_requests_due_first
from proposals.core.enums import ProposalStatus
from proposals.core.pagination import DeferredJoinPaginator
from proposals.core.permissions import is_agency_reviewer, is_evaluator
from proposals.core.statements import KeyedStatement
from proposals.core.web.access import run_service
from proposals.intake.api.proposals import proposals_csv_response
from proposals.intake.models.proposal import Proposal
from proposals.intake.policy.drafts import FILED_AWAY_STATUSES
from proposals.intake.selectors import (
    ProposalFilter,
    calls_open_on,
    consortia_for_new_proposal,
    may_start_proposal,
    proposal_list_for,
    proposals_visible_to,
    status_counts_for,
)
from proposals.intake.services.drafting import proposal_create
from proposals.intake.web.forms import ProposalCreateForm
from proposals.notify.selectors import action_required_for
from proposals.search.enums import SearchList
from proposals.search.web import list_context

# Rows per page: a program holds 100,000 proposals; an unpaged list rendered them all (issue 8).
PAGE_SIZE = 25
# The columns each list shows (the rest of a proposal is the editor's): fewer to read and convert.
AGENCY_COLUMNS = ("title", "consortium__name", "status", "status_changed_at", "revision_number", "updated_at")
# Open requests for information the dashboard lists (soonest due first); the proposal page has them all.
OPEN_REQUESTS_SHOWN = 10
DASHBOARD_COLUMNS = ("title", "consortium__name", "status", "revision_number", "updated_at")

# Each list's rows by the page's keys, compiled once a process (DeferredJoinPaginator's keyed_rows):
# who sees what, the filters and the order are the keys' query's.
AGENCY_ROWS = KeyedStatement(lambda: Proposal.objects.select_related("consortium").only(*AGENCY_COLUMNS))
CONSORTIUM_ROWS = KeyedStatement(
    lambda: (
        Proposal.objects.select_related("consortium").only(*DASHBOARD_COLUMNS).with_item_counts().for_page()
    )
)


class ConsortiumProposalFilter(ProposalFilter):
    """The consortium dashboard's filters: the lists' own, and one select that files withdrawn and
    declined proposals away (hidden unless asked for, or unless a status filter names them)."""

    show = django_filters.ChoiceFilter(
        choices=[("filed", "Filed away (withdrawn and declined)"), ("all", "All proposals")],
        method="filter_show",
        label="Show",
        empty_label="Current proposals",
    )

    def filter_show(self, queryset: QuerySet[Proposal], name: str, value: str) -> QuerySet[Proposal]:
        return queryset.filter(status__in=FILED_AWAY_STATUSES) if value == "filed" else queryset

    def filter_queryset(self, queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
        filtered = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("show") and not self.form.cleaned_data.get("status"):
            filtered = filtered.exclude(status__in=FILED_AWAY_STATUSES)
        return filtered


def _filtered(
    request: HttpRequest, proposals: QuerySet[Proposal], filter_class: type[ProposalFilter] = ProposalFilter
) -> tuple[ProposalFilter, dict[str, Any]]:
    """The list's search, filters and sort, and what the page needs to show them and save them."""
    filterset = filter_class(request.GET, queryset=proposals)
    return filterset, list_context(request, filterset, SearchList.PROPOSALS)


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if is_agency_reviewer(request.user):
        # The submitted list shows no line-item counts: not reading them saves a query a page.
        proposals = (
            proposals_visible_to(request.user).only(*AGENCY_COLUMNS).order_by(*Proposal._meta.ordering)
        )
        filterset, context = _filtered(request, proposals)
        context["action_required"] = action_required_for(request.user)
        if not filterset.is_valid():  # a bad filter value is an error on the form, never an empty list
            return render(request, "proposals/agency_list.html", {**context, "invalid": True}, status=400)
        page = DeferredJoinPaginator.of_filterset(
            filterset, PAGE_SIZE, keyed_rows=AGENCY_ROWS.instances_in_order
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "proposals/agency_list.html",
            {
                **context,
                "proposals": page.object_list,
                "page": page,
            },
        )
    proposals = proposal_list_for(request.user).only(*DASHBOARD_COLUMNS)
    counts = status_counts_for(request.user)
    filterset, context = _filtered(request, proposals, ConsortiumProposalFilter)
    context.update(
        {
            "status_counts": [(ProposalStatus(s).label, n) for s, n in counts.items() if n],
            "can_create": may_start_proposal(request.user),
            # Evaluators of other agencies land here too: their panels waiting on them.
            "action_required": action_required_for(request.user) if is_evaluator(request.user) else None,
            # Only a returned proposal has open requests: the status counts spare the query otherwise.
            "open_requests": list(information_requests_due_first(request.user, limit=OPEN_REQUESTS_SHOWN))
            if counts.get(ProposalStatus.RETURNED)
            else [],
        }
    )
    if not filterset.is_valid():
        return render(request, "proposals/dashboard.html", {**context, "invalid": True}, status=400)
    # The status counts cover the same rows as the unfiltered list (filed-away ones aside): their sum
    # is its pager's count.
    current = sum(n for status, n in counts.items() if status not in FILED_AWAY_STATUSES)
    paginator = DeferredJoinPaginator.of_filterset(
        filterset,
        PAGE_SIZE,
        count=None if context["filtered"] else current,
        keyed_rows=CONSORTIUM_ROWS.instances_in_order,
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request, "proposals/dashboard.html", {**context, "proposals": page.object_list, "page": page}
    )


@login_required
def proposals_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every proposal the user may see (filters as the API's: status, country), streamed as CSV."""
    filtered = ProposalFilter(request.GET, queryset=proposals_visible_to(request.user).order_by("pk"))
    if not filtered.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in filtered.errors.items())
        return HttpResponseBadRequest(f"Check the filters: {errors}", content_type="text/plain")
    return proposals_csv_response(filtered.qs)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    consortia = consortia_for_new_proposal(request.user)
    if not consortia:
        raise PermissionDenied("Only a consortium's lead and editors can start a proposal.")
    calls = calls_open_on(timezone.localdate())
    form = ProposalCreateForm(request.POST or None, consortia=consortia, calls=calls)
    created = []
    if request.method == "POST" and run_service(
        form,
        lambda: created.append(
            proposal_create(
                consortium=form.cleaned_data["consortium"],
                call=form.cleaned_data["call"],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
        ),
    ):
        return redirect(created[0].get_absolute_url())
    return render(request, "proposals/create.html", {"form": form, "calls": calls})
