"""The Commerce queue's rows, written in Python: the page reviewers reload all day.

Through the template engine the 25 rows cost about 0.2 ms each (some 20 variable lookups, two `{% url
%}` and a `{% csrf_token %}` a row): with the page cache off that was the largest single part of the
page after its queries (bench/bench_load.py). Here a row is one string format, the two links are
reversed once a page, values escaped as format_html escapes them (listing.html_row, without the
lazy-string checks around each value), and the markup is the same as the template's was.
"""

from collections.abc import Iterable
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from proposals.core.enums import ReviewClockFlag
from proposals.templatetags.listing import html_row, url_for_pk

register = template.Library()

# The tag's colour for each clock state (design-system utility classes); anything else is on track.
CLOCK_TAG_CLASS = {
    ReviewClockFlag.OVERDUE: "bg-secondary",
    ReviewClockFlag.NEAR_DEADLINE: "bg-gold text-ink",
    ReviewClockFlag.PAUSED: "bg-base",
}
_ON_TRACK_CLASS = "bg-green"
_ROW = (
    '<tr>\n      <th scope="row" data-label="Proposal"><a href="{}">{}</a>'
    '<br><span class="text-base">{}</span></th>'
    '\n      <td data-label="Status">{}{}</td>'
    '\n      <td data-label="Destinations">{}</td>'
    '\n      <td data-label="ECCNs">{}</td>'
    '\n      <td data-label="Open gates">{}</td>'
    '\n      <td data-label="Unresolved hits">{}</td>'
    '\n      <td data-label="Clock">\n        {}\n      </td>'
    '\n      <td data-label="Reviewer">\n        {}\n      </td>\n    </tr>'
)
_RFI_OPEN = mark_safe('<br><span class="usa-tag">RFI open</span>')
_ASSIGN_FORM = (
    '<form method="post" action="{}" class="display-inline">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '\n            <input type="hidden" name="next" value="queue">'
    '\n            <button class="usa-button usa-button--unstyled" name="who" value="me">'
    "Assign to me</button> ·"
    '\n            <button class="usa-button usa-button--unstyled" name="who" value="auto">'
    "Auto-assign</button>"
    "\n          </form>"
)


def _clock(row: Any) -> SafeString | str:
    if not row.has_review or not row.registered_at:
        return "not started"
    days = row.clock_days
    cell = html_row(
        '{} day{}\n          <span class="usa-tag {}">{}</span>',
        days,
        "" if days == 1 else "s",
        CLOCK_TAG_CLASS.get(row.clock_flag, _ON_TRACK_CLASS),
        row.get_clock_flag_display(),
    )
    if row.clock_next_mark:
        cell += html_row(
            '\n          <br><span class="text-base">{} to {}</span>',
            row.clock_days_to_mark,
            row.clock_next_mark,
        )
    return mark_safe(cell)  # each value escaped by html_row


@register.simple_tag(takes_context=True)
def queue_rows(context: dict[str, Any], rows: Iterable[Any]) -> SafeString:
    """The queue's table rows (commerce.selectors.QueueRow, from CommerceQueuePaginator's pages)."""
    request = context["request"]
    proposal_url = url_for_pk("commerce-proposal")
    assign_url = url_for_pk("commerce-assign")
    csrf_token = None
    out = []
    for row in rows:
        reviewer = row.reviewer_name
        if reviewer is not None:
            who = reviewer  # escaped by html_row as a value
        else:
            csrf_token = csrf_token or get_token(request)
            who = mark_safe(html_row(_ASSIGN_FORM, assign_url(row.pk), csrf_token))
        out.append(
            html_row(
                _ROW,
                proposal_url(row.pk),
                row.title,
                row.consortium_name,
                row.get_status_display(),
                _RFI_OPEN if row.open_rfis else "",
                ", ".join(row.queue_destinations),
                ", ".join(row.queue_eccns),
                row.open_gates,
                row.unresolved_hits,
                _clock(row),
                who,
            )
        )
    return mark_safe("\n".join(out))  # each value escaped by html_row above
