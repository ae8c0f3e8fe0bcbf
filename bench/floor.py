"""The Commerce queue's statements alone, for the load test's floor (bench/bench_load.py).

The queue page's first page sends, after the sign-in reads the bare page also makes: the user's saved
filters, then its paginator's statements (the page's keys with the total, the rows by those keys, and
the rows' distinct destinations). This page sends the same statements and answers a line of text: no
rows turned into objects, no form, no template. The paginator's statements are the portal's own,
captured once per process from the queue's FilterSet and paginator (so they follow the selector as
it changes); the saved filters' is written here as the cheapest equivalent. Whatever this page
reaches under load against the bare page is the most the queue page could reach while it shows
those rows and that total.

A second page, `queue_without_template`, is the queue page with everything but its HTML: the same
permission check, filters, saved filters, paging and rows (commerce.web.queue_context), answered
with a line of text. Between the two, the load test shows how the page's cost divides between its
statements, the Python that builds and reads them, and its template.
"""

from functools import cache
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import RequestFactory
from django.urls import path

from proposals.commerce.web import queue_context
from proposals.core.statements import prepares_keyed_statements, statement_rows
from proposals.core.web.access import permission_required
from proposals.search.enums import SearchList

SAVED_FILTERS_SQL = "SELECT id, name, query FROM proposals_savedfilter WHERE user_id = %s AND list_name = %s"


@cache
def _page_statements(user_id: int) -> tuple[tuple[str, Any, bool], ...]:
    """The SQL and parameters of every statement the queue's paginator sends for its first page, as
    the portal sends them, read once; and whether the portal prepares it (its rows by their keys)."""
    from accounts.models import User
    from proposals.commerce.selectors import (
        QUEUE_ROWS,
        CommerceQueueFilter,
        CommerceQueuePaginator,
        commerce_queue_for,
    )
    from proposals.commerce.web import PAGE_SIZE

    user = User.objects.get(pk=user_id)
    request = RequestFactory().get("/")
    request.user = user
    filterset = CommerceQueueFilter(QueryDict(), queryset=commerce_queue_for(user), request=request)
    filterset.is_valid()
    sent: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        CommerceQueuePaginator.of_filterset(filterset, PAGE_SIZE).get_page(None)  # as the view: no ?page=
    keyed = QUEUE_ROWS.compiled().sql
    return tuple(
        (sql, params, sql == keyed and prepares_keyed_statements(connection)) for sql, params in sent
    )


@login_required
def queue_statements(request: HttpRequest) -> HttpResponse:
    """The queue's first page's statements, run as raw SQL; answers how many rows each returned."""
    prepares = prepares_keyed_statements(connection)
    # Prepared where the portal's are (search.selectors reads them by a keyed statement).
    statement_rows(
        connection, SAVED_FILTERS_SQL, [request.user.pk, SearchList.COMMERCE_QUEUE], prepare=prepares
    )
    counts = [
        len(statement_rows(connection, sql, params, prepare=prepare))
        for sql, params, prepare in _page_statements(request.user.pk)
    ]
    return HttpResponse(f"ok {counts} rows")


@permission_required("proposals.commerce_workspace")  # as the queue page
def queue_without_template(request: HttpRequest) -> HttpResponse:
    """The queue page's reads, as the page makes them, without rendering its HTML."""
    context, status = queue_context(request)
    rows = context.get("rows", ())
    return HttpResponse(
        f"ok {len(rows)} rows of {context['page'].paginator.count}" if rows else "ok", status=status
    )


urlpatterns = [
    path("queue-statements/", queue_statements, name="bench-queue-statements"),
    path("queue-without-template/", queue_without_template, name="bench-queue-without-template"),
]
