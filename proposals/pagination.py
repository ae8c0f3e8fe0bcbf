"""Paging long lists: pick the page's keys first, then load only those rows (a "deferred join").

With LIMIT/OFFSET on the full row, PostgreSQL sorts every matching row with all its columns (and
joins) before skipping to the page: at 100,000 proposals a deep page sorted tens of megabytes on
disk. Sorting keys alone stays in memory and the page's rows are then read by primary key
(bench/, issue 8). Web views use `DeferredJoinPaginator`; the API uses `DeferredJoinPagination`.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


class DeferredJoinPaginator(Paginator):
    """A Django Paginator over a QuerySet that selects the page's primary keys, then their rows.

    `count`, when the caller already knows the number of rows (the dashboard sums its status
    counts), spares the pager's COUNT query.
    """

    def __init__(self, object_list: Any, per_page: int, *args: Any, count: int | None = None, **kw: Any):
        super().__init__(object_list, per_page, *args, **kw)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its cached value

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        rows_qs = self.object_list.filter(pk__in=keys)
        # A queryset may add what is cheap for a known handful of rows (ProposalQuerySet: item counts).
        if hasattr(rows_qs, "for_page"):
            rows_qs = rows_qs.for_page()
        rows = {row.pk: row for row in rows_qs}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class DeferredJoinPagination(PageNumberPagination):
    """DRF page-number pagination with the deferred join above."""

    django_paginator_class = DeferredJoinPaginator
