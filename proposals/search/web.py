"""Saved filters from a list page: save the current filter under a name, delete one."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from proposals.core.errors import InvalidInput
from proposals.search.enums import SearchList
from proposals.search.models import SavedFilter
from proposals.search.selectors import saved_filters_for, saved_filters_listed
from proposals.search.services import saved_filter_create, saved_filter_delete

# The page of each list, where a saved filter is applied.
LIST_URLS = {
    SearchList.PROPOSALS: "home",
    SearchList.COMMERCE_QUEUE: "commerce-queue",
    SearchList.EXIM_PIPELINE: "exim-pipeline",
}


def list_context(request: HttpRequest, filterset: Any, list_name: str) -> dict[str, Any]:
    """What a list page needs to show its search and filters and to save them: the FilterSet, the
    query without the page, whether anything filters, and the user's saved filters of this list."""
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "filter": filterset,
        "query": params.urlencode(),
        "filtered": any(v for k, v in params.items() if k not in ("sort", "ordering")),
        "list_name": list_name,
        "saved_filters": saved_filters_listed(request.user, list_name=list_name),
    }


def list_url(list_name: str, query: str = "") -> str:
    url = reverse(LIST_URLS.get(list_name, "home"))
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_filter_add(request: HttpRequest) -> HttpResponse:
    list_name = request.POST.get("list_name", "")
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_create(
            user=request.user, list_name=list_name, name=request.POST.get("name", ""), query=query
        )
    except InvalidInput as exc:
        fields = exc.extra.get("fields", {})
        messages.error(request, " ".join(m for errors in fields.values() for m in errors) or exc.message)
        return redirect(list_url(list_name, query if "query" not in fields else ""))
    messages.success(request, f"Filter “{saved.name}” saved: it is under Saved filters on this list.")
    return redirect(list_url(saved.list_name, saved.query))


@login_required
@require_POST
def saved_filter_remove(request: HttpRequest, pk: int) -> HttpResponse:
    saved = saved_filters_for(request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404("No such saved filter.")
    try:
        saved_filter_delete(user=request.user, pk=pk)
    except SavedFilter.DoesNotExist as exc:  # deleted meanwhile (another tab)
        raise Http404("No such saved filter.") from exc
    messages.success(request, f"Filter “{saved.name}” deleted.")
    return redirect(list_url(saved.list_name))
