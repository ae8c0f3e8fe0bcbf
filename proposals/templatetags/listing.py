"""List pages: sortable column headers that keep the page's filters (search, filters, sort), and the
proposals lists' rows written in Python."""

import html
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.template import Context
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(
    context: dict[str, Any],
    label: str,
    ascending: str,
    descending: str,
    *,
    param: str = "sort",
    default: str = "",
    numeric: bool = False,
) -> SafeString:
    """A column header whose link sorts by it (ascending first, then descending), keeping the other
    query parameters (not the page); `aria-sort` tells assistive technology the current order."""
    request = context["request"]
    current = request.GET.get(param) or default
    if current == ascending:
        state, target, next_words = "ascending", descending, "sort descending"
    elif current == descending:
        state, target, next_words = "descending", ascending, "sort ascending"
    else:
        state, target, next_words = "none", ascending, "sort ascending"
    query = request.GET.copy()
    query.pop("page", None)
    query[param] = target
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    return format_html(
        '<th scope="col" aria-sort="{}"{}><a class="usa-link sort-link" href="?{}">{}'
        '<span aria-hidden="true">{}</span><span class="usa-sr-only"> ({})</span></a></th>',
        state,
        SafeString(' class="table-numeric"') if numeric else "",
        query.urlencode(),
        label,
        arrow,
        next_words,
    )


# A primary key no row has: a route is reversed once a page with it, and each row's own key replaces it.
_PK_MARK = "2147483647"


def url_for_pk(name: str) -> Callable[[Any], str]:
    """`reverse(name, args=[pk])` for many rows: reversed once, each row's key put in its place."""
    return url_for_keys(name, 1)


def url_for_keys(name: str, count: int) -> Callable[..., str]:
    """`reverse(name, args=[*keys])` (`count` keys) for many rows, reversed once a page."""
    parts = reverse(name, args=[int(_PK_MARK)] * count).split(_PK_MARK)
    if len(parts) != count + 1:  # never for the list routes; reverse() each time then
        return lambda *keys: reverse(name, args=list(keys))
    return lambda *keys: "".join(f"{part}{key}" for part, key in zip(parts, keys, strict=False)) + parts[-1]


_PROPOSAL_CELLS = (
    '<tr>\n      <th scope="row" data-label="Proposal"><a class="usa-link" href="{}">{}</a></th>'
    '\n      <td data-label="Consortium">{}</td>'
    '\n      <td data-label="Status"><span class="usa-tag status-tag status-tag--{}">{}</span></td>'
)
_CONSORTIUM_ROW = _PROPOSAL_CELLS + (
    '\n      <td data-label="Revision">{}</td>'
    '\n      <td data-label="Line items" class="table-numeric">{}</td>'
    '\n      <td data-label="Last change"><time datetime="{}" title="{}">{}</time></td>\n    </tr>'
)
_AGENCY_ROW = _PROPOSAL_CELLS + (
    '\n      <td data-label="Revision">{}</td>'
    '\n      <td data-label="Status since">{}</td>'
    '\n      <td data-label="Last change">{}</td>\n    </tr>'
)


def _escaped(value: Any) -> str:
    """`value` as format_html writes an argument (conditional_escape), without the lazy-string checks
    around each call: a third of a row's cost when every row has ten values (issue 16)."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def html_row(template: str, *values: Any) -> str:
    """`format_html(template, *values)` for the rows below; tests/intake/web/test_listing.py holds it
    to format_html. The caller marks the joined rows safe."""
    return template.format(*map(_escaped, values))


@lru_cache(maxsize=16)
def _month_abbreviations(language: str | None) -> tuple[str, ...]:
    """The date filter's "M" of each month (index 1 to 12) in `language`, the active one when read."""
    return ("", *(MONTHS_3[month].title() for month in range(1, 13)))


def day_shown(value: date) -> str:
    """`value` as `{{ value|date:"j M Y" }}` writes it ("6 Dec 2026"), without DateFormat's parser."""
    return f"{value.day} {_month_abbreviations(get_language())[value.month]} {value.year:04d}"


def when_shown(value: datetime | None) -> str:
    """`value` in local time as `{{ value|date:"j M Y, H:i" }}` writes it ("6 Dec 2026, 09:05"),
    without DateFormat's parser of the pattern: two dates a row through it were a third of the
    submitted list's rows (issue 16). tests/intake/web/test_listing.py holds it to the filter."""
    if not value:
        return ""
    local = localtime(value)
    return f"{day_shown(local)}, {local.hour:02d}:{local.minute:02d}"


@register.simple_tag
def proposal_rows(proposals: Iterable[Any], *, agency: bool = False) -> SafeString:
    """The table rows of the proposals lists: a consortium's dashboard, or (`agency`) the submitted
    list agency staff land on. Through the template engine each row was some 15 lookups and filters
    (about 0.15 ms); here it is one html_row, with the proposal's link reversed once a page."""
    link = url_for_pk("proposal-detail")
    rows = []
    labels: dict[Any, Any] | None = None
    for p in proposals:
        if labels is None:
            # What get_status_display() reads, once a page: it rebuilds this dict on every call.
            labels = dict(make_hashable(p._meta.get_field("status").flatchoices))
        label = force_str(labels.get(make_hashable(p.status), p.status), strings_only=True)
        cells = (link(p.pk), p.title, p.consortium.name, p.status, label)
        if agency:
            rows.append(
                html_row(
                    _AGENCY_ROW,
                    *cells,
                    p.revision_number,
                    when_shown(p.status_changed_at),
                    when_shown(p.updated_at),
                )
            )
        else:
            rows.append(
                html_row(
                    _CONSORTIUM_ROW,
                    *cells,
                    p.revision_number or "—",
                    p.item_count,
                    localtime(p.updated_at).isoformat() if p.updated_at else "",  # the |date:"c" filter
                    when_shown(p.updated_at),
                    naturaltime(p.updated_at),
                )
            )
    return mark_safe("\n".join(rows))  # each part escaped by html_row above


def _counted(n: int, noun: str, plural: str = "s") -> str:
    return f"{n} {noun}{'' if n == 1 else plural}"


@register.simple_tag
def commerce_waiting_items(rows: Iterable[Any]) -> SafeString:
    """The "Action required" panel's proposals waiting on Commerce (notify.commerce_action_required),
    as list items: one html_row each, where an include per row cost about 0.07 ms a row."""
    link = url_for_pk("commerce-proposal")
    items = []
    for p in rows:
        waiting = []
        if p.open_gates:
            waiting.append(f"{_counted(p.open_gates, 'license gate')} to decide")
        if p.unresolved_hits:
            waiting.append(f"{_counted(p.unresolved_hits, 'screening match', 'es')} to review")
        clock = f"; review clock at day {p.clock_days}" if p.clock_days is not None else ""
        items.append(
            html_row(
                '<li><a class="usa-link" href="{}">{}</a> ({}):\n  {}{}</li>',
                link(p.pk),
                p.title,
                p.consortium.name,
                ", ".join(waiting),
                clock,
            )
        )
    return mark_safe("\n".join(items))  # each part escaped by html_row above


@register.simple_tag
def list_total(paginator: Any, noun: str, plural: str = "s") -> str:
    """A list's total: "7 proposals", or, when it was counted only up to a bound (a searched list,
    DeferredJoinPaginator.count_is_exact), "more than 1,000 proposals match": never a smaller figure
    that reads as exact. (A caption starts it with a capital: `as total` and `|capfirst`.)"""
    if getattr(paginator, "count_is_exact", True):
        return _counted(paginator.count, noun, plural)
    return f"more than {intcomma(paginator.count_exceeds)} {noun}{plural} match"


@register.simple_tag
def page_of(page: Any) -> str:
    """ "Page 3 of 41", or "Page 3 of more than 40" when the total is a lower bound."""
    paginator = page.paginator
    if getattr(paginator, "count_is_exact", True):
        return f"Page {page.number} of {paginator.num_pages}"
    return f"Page {page.number} of more than {intcomma(paginator.num_pages_exceeds)}"


_OPEN_REQUEST_ITEM = (
    '\n      <li><a class="usa-link" href="{}">{}: answer {}\'s request</a>'
    "\n        <br><span>{}</span>"
    '\n        <br><span>Due <time datetime="{}">{}</time> · {} · the review clock is paused until you'
    " resubmit</span></li>\n    "
)


def truncated(text: str, length: int) -> str:
    """`{{ text|truncatechars:length }}`: a short ASCII text is that text (nothing to normalize, no
    combining characters to leave out of the count), without Truncator's pass over each character."""
    if text.isascii() and len(text) <= length:
        return text
    return Truncator(text).chars(length)


def _due(days_left: int) -> SafeString:
    if days_left < 0:
        return format_html("<strong>overdue by {} day{}</strong>", -days_left, "" if days_left == -1 else "s")
    if days_left == 0:
        return SafeString("<strong>due today</strong>")
    return format_html("{} day{} left", days_left, "" if days_left == 1 else "s")


@register.simple_tag
def open_request_items(requests: Iterable[Any]) -> SafeString:
    """The consortium dashboard's "Action required" list: its open requests for information (as
    commerce.selectors.information_requests_open_for reads them), one html_row each, where the
    template's {% url %}, filters and conditions cost about 0.15 ms an item (issue 16)."""
    link = url_for_keys("proposal-information-request", 2)
    items = []
    for rfi in requests:
        items.append(
            html_row(
                _OPEN_REQUEST_ITEM,
                link(rfi.proposal_id, rfi.pk),
                rfi.proposal.title,
                rfi.asked_by_agency,
                truncated(rfi.question, 120),
                rfi.due_date.isoformat(),
                day_shown(rfi.due_date),
                _due(rfi.days_left),
            )
        )
    return mark_safe("".join(items))  # each part escaped by html_row above


# The filter forms' HTML while nobody has filled them in, by what it is made of (see list_filters).
_BLANK_FILTER_FORMS: dict[tuple[Any, ...], str] = {}
_BLANK_FILTER_FORMS_KEPT = 64


def _blank_form_key(form: Any, label: str, clear_url: str, extra_actions: Any) -> tuple[Any, ...] | None:
    """What a blank filter form's HTML depends on: its class, the include's arguments, the language
    (labels may be translated) and every select's choices as text; None when a field holds a value
    or the form has errors (then it is rendered as it stands). Each select's choices are read once
    here and kept on this form's own widget, so that rendering it does not read them again."""
    if form.errors or any(form[name].data not in (None, "", []) for name in form.fields):
        return None
    choices = []
    for name, field in form.fields.items():
        widget = field.widget
        if hasattr(widget, "choices"):
            widget.choices = list(iter(widget.choices))  # iter(): list() would ask the length first
            choices.append((name, tuple((str(value), str(text)) for value, text in widget.choices)))
    return (type(form), label, clear_url, str(extra_actions or ""), get_language(), tuple(choices))


@register.simple_tag(takes_context=True)
def list_filters(context: Context, *, label: str, clear_url: str) -> SafeString:
    """`{% include "search/_filters.html" with label=… clear_url=… %}`, the list pages' search and
    filter form. A blank form (most visits: a list's first and further pages) is the same HTML
    every time, so it is rendered once a process and kept: its fields, widgets and ~250 country
    options were about 0.7 ms of each list page (issue 16). A filled-in form renders every time."""
    form = context["filter"].form
    key = _blank_form_key(form, label, clear_url, context.get("extra_actions"))
    kept = _BLANK_FILTER_FORMS.get(key) if key is not None else None
    if kept is not None:
        return mark_safe(kept)  # rendered by the template below, which escapes
    with context.push(label=label, clear_url=clear_url):
        rendered = context.template.engine.get_template("search/_filters.html").render(context)
    if key is not None:
        if len(_BLANK_FILTER_FORMS) >= _BLANK_FILTER_FORMS_KEPT:
            _BLANK_FILTER_FORMS.clear()
        _BLANK_FILTER_FORMS[key] = rendered
    return mark_safe(rendered)
