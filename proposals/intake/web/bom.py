"""Bill-of-materials import in the browser, and the downloadable CSV template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from proposals.core.enums import Section
from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.web.access import ensure_editable, refused
from proposals.intake.selectors import access_proposal
from proposals.intake.services.bom_import import (
    BOM_COLUMN_HELP,
    BOM_COLUMNS,
    ImportsBusy,
    bom_import,
    bom_template_csv,
)
from proposals.intake.web.forms import BomImportForm
from proposals.intake.web.layout import render_section, section_url


@login_required
@require_GET
def bom_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(bom_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bill-of-materials-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bom_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV or XLSX; every row is checked first, and a file with any bad row imports nothing."""
    proposal = access_proposal(request.user, pk)
    items_url = section_url(pk, Section.ITEMS)
    try:
        ensure_editable(request, proposal)
    except ApplicationError as exc:
        return refused(request, exc, items_url)
    form = BomImportForm(request.POST or None, request.FILES or None)
    row_errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            count = bom_import(proposal_id=pk, actor=request.user, upload=form.cleaned_data["file"])
        except InvalidInput as exc:
            form.add_error("file", exc.message)
            row_errors = exc.extra.get("rows", [])
        except ImportsBusy as exc:
            form.add_error("file", exc.message)  # stay on the page: the same file can be sent again
        except ApplicationError as exc:
            return refused(request, exc, items_url)
        else:
            messages.success(request, f"Imported {count} line item{'s' if count != 1 else ''}.")
            return redirect(items_url)
    return render_section(
        request,
        proposal,
        Section.ITEMS,
        "proposals/bom_import.html",
        form=form,
        row_errors=row_errors,
        columns=[(name, BOM_COLUMN_HELP[name]) for name in BOM_COLUMNS],
    )
