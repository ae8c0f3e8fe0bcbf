"""Paging long lists: pick the page's keys first, then load only those rows (a "deferred join").

With LIMIT/OFFSET on the full row, PostgreSQL sorts every matching row with all its columns (and
joins) before skipping to the page: at 100,000 proposals a deep page sorted tens of megabytes on
disk. Sorting keys alone stays in memory and the page's rows are then read by primary key
(bench/, issue 8). Web views use `DeferredJoinPaginator`; the API uses `DeferredJoinPagination`.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Func, IntegerField, QuerySet, Subquery
from rest_framework.pagination import PageNumberPagination


class DeferredJoinPaginator(Paginator):
    """A Django Paginator over a QuerySet that selects the page's primary keys, then their rows.

    The keys query also returns the total (an uncorrelated scalar subquery, evaluated once), as the
    bench's one-statement baselines do: the pager's COUNT costs no round trip of its own. When the
    page turns out empty (no rows, or past the end) the count is asked for separately, as usual.
    `count`, when the caller already knows the number of rows (the dashboard sums its status
    counts), spares the COUNT altogether.
    """

    def __init__(self, object_list: Any, per_page: int, *args: Any, count: int | None = None, **kw: Any):
        super().__init__(object_list, per_page, *args, **kw)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its cached value

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        keys_qs = self.object_list.prefetch_related(None)
        fetched = self._keys_with_count(keys_qs, number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if fetched is not None and fetched[0] == number:
            keys = fetched[1][: top - bottom]
        else:
            keys = list(keys_qs.values_list("pk", flat=True)[bottom:top])
        rows_qs = self.object_list.filter(pk__in=keys)
        # A queryset may add what is cheap for a known handful of rows (ProposalQuerySet: item counts).
        if hasattr(rows_qs, "for_page"):
            rows_qs = rows_qs.for_page()
        rows = {row.pk: row for row in rows_qs}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    def _keys_with_count(self, queryset: QuerySet, number: Any) -> tuple[int, list[Any]] | None:
        """(number, keys) of the requested page, caching the total it read alongside; None when the
        count is already known, the number is not a page number, or the query is not a plain one
        (DISTINCT, GROUP BY, set operations: QuerySet.count() knows how to count those)."""
        query = queryset.query
        if "count" in self.__dict__ or query.distinct or query.group_by is not None or query.combinator:
            return None
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        if number < 1:
            return None
        # COUNT(*), not COUNT(id): a count that reads no column can use the narrowest index that
        # covers the filter (proposal_status_revision), not one that also holds id.
        total = (
            queryset.order_by()
            .annotate(_n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("_n")
        )
        bottom = (number - 1) * self.per_page
        # The last page may take up to `orphans` more rows: fetch them, trim once the count is known.
        rows = list(
            queryset.annotate(_total=Subquery(total, output_field=IntegerField())).values_list(
                "pk", "_total"
            )[bottom : bottom + self.per_page + self.orphans]
        )
        if not rows:  # empty list or past the end: let validate_number ask for the count
            return None
        self.count = rows[0][1]
        return number, [key for key, _ in rows]


class DeferredJoinPagination(PageNumberPagination):
    """DRF page-number pagination with the deferred join above."""

    django_paginator_class = DeferredJoinPaginator
