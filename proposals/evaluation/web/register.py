"""The public register of priority AI export packages (no sign-in): the page, its CSV and its Atom feed.

Every value comes from `selectors.register_entries`, whose fields are the one allow-list
(`selectors.REGISTER_FIELDS`).
"""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from proposals.evaluation.selectors import REGISTER_FIELDS, RegisterEntry, register_entries


def register(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/register.html", {"entries": list(register_entries())})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_row(entry: RegisterEntry) -> list[str]:
    public = entry.public()
    cells = []
    for name in REGISTER_FIELDS:
        value = public[name]
        if name == "members":
            value = "; ".join(f"{m['name']} ({', '.join(m['layers'])})" for m in value)
        elif isinstance(value, list):
            value = "; ".join(value)
        text = str(value)
        cells.append("'" + text if text[:1] in ("=", "+", "-", "@") else text)  # no spreadsheet formulas
    return cells


def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(list(REGISTER_FIELDS))
        for entry in register_entries():
            yield writer.writerow(_csv_row(entry))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="priority-ai-export-packages.csv"'
    return response


class RegisterFeed(Feed):
    """Atom feed of designated packages, newest first."""

    feed_type = Atom1Feed
    title = "Priority AI export packages"
    subtitle = "Packages designated by the American AI Exports Program's national-interest determination."

    def link(self) -> str:
        return reverse("register")

    def items(self) -> list[RegisterEntry]:
        return list(register_entries())[:100]

    def item_title(self, item: RegisterEntry) -> str:
        return f"{item.title} ({item.consortium})"

    def item_description(self, item: RegisterEntry) -> str:
        members = "; ".join(f"{m['name']} ({', '.join(m['layers'])})" for m in item.members)
        countries = ", ".join(item.target_countries)
        return (
            f"{item.public_summary}\n\nMembers: {members}\nTarget countries: {countries}\nCall: {item.call}"
        )

    def item_link(self, item: RegisterEntry) -> str:
        return reverse("register") + f"#{item.reference}"

    def item_guid(self, item: RegisterEntry) -> str:
        return item.reference

    def item_pubdate(self, item: RegisterEntry) -> Any:
        return item.designated_at

    def item_updateddate(self, item: RegisterEntry) -> Any:
        return item.designated_at
