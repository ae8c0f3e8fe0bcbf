"""Bill-of-materials import in the browser, and the downloadable CSV template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from proposals.core.enums import Section
from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.web.access import ensure_editable, refused
from proposals.intake.enums import ACTIVE_BOM_IMPORT_STATUSES
from proposals.intake.selectors import access_bom_import_job, access_proposal, bom_import_job_delayed
from proposals.intake.services.bom_import import BOM_COLUMN_HELP, BOM_COLUMNS, ImportsBusy, bom_template_csv
from proposals.intake.services.bom_jobs import ImportInProgress, bom_import_start
from proposals.intake.web.forms import BomImportForm
from proposals.intake.web.layout import render_section, section_url

# How often the page of an import being read asks how far it has got.
JOB_POLL_SECONDS = 2


@login_required
@require_GET
def bom_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(bom_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bill-of-materials-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bom_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV or XLSX; every row is checked first, and a file with any bad row imports nothing.

    A small file is imported during the request; a larger one is stored and read by the intake worker,
    and the browser goes to the import's page."""
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
            started = bom_import_start(proposal_id=pk, actor=request.user, upload=form.cleaned_data["file"])
        except InvalidInput as exc:
            form.add_error("file", exc.message)
            row_errors = exc.extra.get("rows", [])
        except (ImportsBusy, ImportInProgress) as exc:
            form.add_error("file", exc.message)  # stay on the page: the same file can be sent again
        except ApplicationError as exc:
            return refused(request, exc, items_url)
        else:
            if started.job is not None:  # read by the intake worker: its page shows the progress
                return redirect("proposal-items-import-job", pk=pk, job_pk=started.job.pk)
            count = started.imported or 0
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
        running_job=proposal.bom_import_jobs.filter(status__in=ACTIVE_BOM_IMPORT_STATUSES).first(),
    )


@login_required
@require_GET
def bom_import_job(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """An import the intake worker reads: its progress (polled by htmx), then its result."""
    proposal = access_proposal(request.user, pk)
    job = access_bom_import_job(request.user, proposal.pk, job_pk)
    context = {"job": job, "delayed": bom_import_job_delayed(job), "poll_seconds": JOB_POLL_SECONDS}
    if request.htmx:
        if job.is_finished:  # the whole page again: the result, and the links that go with it
            return HttpResponseClientRefresh()
        return render(request, "proposals/_bom_import_job.html", {"proposal": proposal, **context})
    return render_section(request, proposal, Section.ITEMS, "proposals/bom_import_job.html", **context)
