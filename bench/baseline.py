"""Baseline views: each list page answered by one hand-written SQL statement, and a bare page.

They are the floor the portal's pages are measured against: the same authentication middleware, then
one query and a plain HTML table (web) or JSON (API) of the same rows; no ORM, no templates, no
permission framework. Used only by `make bench` (bench/urls.py).
"""

import csv
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template import engines
from django.urls import path
from django.utils.html import escape

from bench.targets import BY_KEY


def _filters(request: HttpRequest) -> dict[str, Any]:
    filters: dict[str, Any] = {
        k: request.GET.getlist(k) for k in request.GET if k not in ("page", "page_size")
    }
    return {k: (v if k == "status" else v[0]) for k, v in filters.items()}


@login_required
def baseline_list(request: HttpRequest, key: str) -> HttpResponse:
    target = BY_KEY.get(key)
    if target is None:
        raise Http404(key)
    page = int(request.GET.get("page", 1))
    size = int(request.GET.get("page_size", target.page_size))
    answer = target.baseline_page(user=request.user, filters=_filters(request), page=page, size=size)
    if target.kind == "api":
        rows = [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]
        return JsonResponse({"count": answer.total, "results": rows}, json_dumps_params={"default": str})
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in answer.rows
    )
    return HttpResponse(
        f"<!doctype html><title>{escape(target.label)}</title><p>{answer.total} results</p>"
        f"<table>{cells}</table>"
    )


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django page: no session read, no database."""
    return HttpResponse("ok")


@login_required
def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """The cheapest page a signed-in user can get: the session and user reads, nothing else."""
    return HttpResponse(f"ok {request.user.pk}")


@login_required
def layout_signed_in(request: HttpRequest) -> HttpResponse:
    """The cheapest page of the portal's own: the base layout (banner, navigation for the user's role,
    inbox count, footer) around an empty main, through the same template engine and context
    processors as every page. Not a goal's measure: it shows how much of a page is the layout alone."""
    return HttpResponse(_layout().render(request=request))


@cache
def _layout() -> Any:
    """An empty page in the portal's layout, parsed once (as the cached template loader would)."""
    return engines["django"].from_string('{% extends "base.html" %}{% block title %}Layout{% endblock %}')


# Every proposal agency staff may see (submitted at least once), as the portal's proposals CSV.
PROPOSALS_EXPORT_SQL = """
    SELECT p.id, p.title, c.name, p.status, p.revision_number, p.exim_product, p.financing_amount,
           p.tenor_years, p.status_changed_at, p.created_at, p.updated_at
    FROM proposals_proposal p JOIN proposals_consortium c ON c.id = p.consortium_id
    WHERE p.revision_number > 0
    ORDER BY p.id
"""
# The EXIM pipeline export's rows and order (stage order, then time in stage), in one statement. It
# sorts by the stored Deal.stage_order (index deal_pipeline_order), as the portal does: the fastest
# hand-written equivalent on this schema (sorting by the stage's place in a list would read every deal).
DEALS_EXPORT_SQL = """
    SELECT d.id, p.title, c.name, d.stage, d.stage_entered_at, co.name, co.region, d.product, d.amount,
           d.terms ->> 'financed_amount', d.tenor_years, d.terms ->> 'term_class', d.created_at,
           d.target_final_commitment_on, d.target_closing_on
    FROM proposals_deal d
    JOIN proposals_proposal p ON p.id = d.proposal_id
    JOIN proposals_consortium c ON c.id = p.consortium_id
    LEFT JOIN proposals_country co ON co.code = d.destination_id
    ORDER BY d.stage_order, d.stage_entered_at, d.id
"""


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export_query(what: str = "deals") -> tuple[str, list[Any]]:
    if what == "proposals":
        return PROPOSALS_EXPORT_SQL, []
    try:
        apps.get_model("proposals", "Deal")
    except LookupError:
        return PROPOSALS_EXPORT_SQL, []
    return DEALS_EXPORT_SQL, []


def export_rows(what: str = "deals") -> Iterator[str]:
    """Every row as CSV lines, read through a server-side cursor in chunks of 2,000 rows."""
    writer = csv.writer(_Echo())
    sql, params = _export_query(what)
    # A named (server-side) cursor needs a transaction; the chunked fetch keeps memory flat.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        yield writer.writerow([c.name for c in cursor.description])
        while chunk := cursor.fetchmany(2000):
            for row in chunk:
                yield writer.writerow(row)


@login_required
def baseline_export(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export_rows(request.GET.get("what", "deals")), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="proposals.csv"'
    return response


urlpatterns = [
    path("list/<slug:key>/", baseline_list, name="bench-baseline-list"),
    path("export.csv", baseline_export, name="bench-baseline-export"),
    path("bare/", bare, name="bench-bare"),
    path("bare-signed-in/", bare_signed_in, name="bench-bare-signed-in"),
    path("layout-signed-in/", layout_signed_in, name="bench-layout-signed-in"),
]
