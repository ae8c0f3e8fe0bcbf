"""Program staff's report on a call: where its proposals stand and how long each stage takes, as charts
(server-drawn SVG, with a legend and the same figures as a table), a CSV download and, in the API,
`/api/calls/<id>/report/`.

The figures come from `selectors.call_report`; the bar geometry from `policy.reports`.
"""

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from proposals.core.web.access import permission_required
from proposals.evaluation.policy.reports import bar_widths, scaled_widths
from proposals.evaluation.selectors import CallReport, access_call_report, call_report

REPORTS = "proposals.view_call_reports"
CHART_WIDTH = 800  # SVG user units; the chart scales to the page (viewBox)
# The stage chart is drawn small (and shown at most 40rem wide) so its labels stay legible at 390 px.
STAGE_CHART_WIDTH, STAGE_BAR_X, STAGE_BAR_WIDTH, STAGE_ROW = 400, 150, 190, 30
# Chart labels (the table beside the chart gives the full ones).
STAGE_SHORT = {
    "intake": "Intake",
    "awaiting_panel": "Awaiting a panel",
    "forming": "Panel forming",
    "conflicts": "Declaring conflicts",
    "scoring": "Scoring",
    "determination": "Determination",
    "deferred": "Deferred",
}
# One colour per outcome (USWDS palette, each at least 3:1 against white); the legend names them.
OUTCOME_COLOURS = {
    "in_intake": "#565c65",
    "awaiting_panel": "#936f38",
    "in_evaluation": "#005ea2",
    "deferred": "#c05600",
    "designated": "#008817",
    "not_designated": "#b50909",
    "declined": "#1b1b1b",
    "withdrawn": "#71767a",
}


def _charts(report: CallReport) -> dict[str, Any]:
    widths = bar_widths([o.count for o in report.outcomes], width=CHART_WIDTH)
    segments, x = [], 0
    for outcome, width in zip(report.outcomes, widths, strict=True):
        segments.append({"outcome": outcome, "x": x, "width": width, "colour": OUTCOME_COLOURS[outcome.key]})
        x += width
    stage_widths = scaled_widths([s.median_days for s in report.stages], width=STAGE_BAR_WIDTH)
    stages = [
        {
            "stage": {
                "short": STAGE_SHORT[stage.key],
                "median_days": stage.median_days,
                "label": stage.label,
            },
            "y": i * STAGE_ROW,
            "width": width,
            "value_x": STAGE_BAR_X + width + 6,
        }
        for i, (stage, width) in enumerate(zip(report.stages, stage_widths, strict=True))
    ]
    return {
        "segments": segments,
        "stage_bars": stages,
        "stage_chart_height": len(stages) * STAGE_ROW,
        "stage_chart_width": STAGE_CHART_WIDTH,
        "stage_bar_x": STAGE_BAR_X,
        "chart_width": CHART_WIDTH,
    }


@permission_required(REPORTS)
def call_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = call_report(access_call_report(request.user, pk))
    return render(
        request, "reports/call_report.html", {"report": report, "call": report.call, **_charts(report)}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_rows(report: CallReport) -> Iterator[list[Any]]:
    """The report as rows: the header, then each outcome, then each stage."""
    yield ["section", "key", "label", "proposals", "median_days", "in_stage_now", "note"]
    yield ["received", "drafts", "Started, never submitted (not received)", report.drafts, "", "", ""]
    yield ["received", "received", "Received", report.received, "", "", ""]
    for o in report.outcomes:
        yield ["outcome", o.key, o.label, o.count, "", "", ""]
    for s in report.stages:
        median = "" if s.median_days is None else s.median_days
        yield ["stage", s.key, s.label, s.proposals, median, s.in_stage_now, s.not_yet]


@permission_required(REPORTS)
def call_report_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    report = call_report(access_call_report(request.user, pk))
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in report_rows(report)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate(report.as_of).isoformat()
    response["Content-Disposition"] = f'attachment; filename="call-{report.call.slug}-report-{stamp}.csv"'
    return response
