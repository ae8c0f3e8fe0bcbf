"""List pages: sortable column headers that keep the page's filters (search, filters, sort)."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
