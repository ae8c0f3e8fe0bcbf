"""Paging long lists: pick the page's keys first, then load only those rows (a "deferred join").

With LIMIT/OFFSET on the full row, PostgreSQL sorts every matching row with all its columns (and
joins) before skipping to the page: at 100,000 proposals a deep page sorted tens of megabytes on
disk. Sorting keys alone stays in memory and the page's rows are then read by primary key
(bench/, issue 8). Web views use `DeferredJoinPaginator`; the API uses `DeferredJoinPagination`.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Func, IntegerField, QuerySet, Subquery
from rest_framework.pagination import PageNumberPagination

# Past this OFFSET PostgreSQL refuses the number (bigint): such a page is simply past the end.
MAX_OFFSET = 2**62


class DeferredJoinPaginator(Paginator):
    """A Django Paginator over a QuerySet that selects the page's primary keys, then their rows.

    For a plain queryset (no DISTINCT, GROUP BY or set operation) that is one statement, as in the
    bench's hand-written baselines: the page's rows `WHERE pk IN (the sorted keys, LIMIT/OFFSET)`,
    with the total as an uncorrelated scalar subquery (evaluated once). The count then costs no
    round trip of its own; when the page turns out empty (an empty list, or past the end) it is
    asked for separately, as usual. Other querysets take two steps: the keys, then their rows.
    `count`, when the caller already knows the number of rows (the dashboard sums its status
    counts), spares the COUNT altogether.

    `rows`, if given, turns the page's queryset into what the page holds (say `.values_list(...,
    named=True)`, each row with a `pk`); such pages take the two steps, and the count and the keys
    still come from the plain queryset, without the joins the selected values would add to them.
    A subclass may narrow the keys' query (`page_keys`), e.g. to a join an index can sort.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *args: Any,
        count: int | None = None,
        rows: Callable[[QuerySet], Iterable[Any]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kw)
        self.rows = rows
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its cached value

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        query = self.object_list.query
        plain = not (query.distinct or query.group_by is not None or query.combinator or self.rows)
        fetched = None
        if plain and "count" not in self.__dict__:
            fetched = self._rows_with_count(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if fetched is not None and fetched[0] == number:
            rows = fetched[1]
        elif plain:
            rows = list(self._rows_qs(self._keys(bottom, top)))
        else:
            keys = list(self._keys(bottom, top).values_list("pk", flat=True))
            by_key = {row.pk: row for row in self._rows_qs(keys)}
            rows = [by_key[key] for key in keys if key in by_key]
        return self._get_page(rows[: top - bottom], number, self)

    def page_keys(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The query that picks the page's keys; a subclass may narrow its joins (same rows)."""
        return queryset

    def _keys(self, bottom: int, top: int) -> QuerySet:
        """The page's keys, sorted and sliced: the only step that reads every matching row."""
        return self.page_keys(self.object_list).prefetch_related(None).values("pk")[bottom:top]

    def _rows_qs(self, keys: Any) -> Any:
        rows = self.object_list.filter(pk__in=keys)
        if self.rows is not None:
            return self.rows(rows)
        # A queryset may add what is cheap for a known handful of rows (ProposalQuerySet: item counts).
        return rows.for_page() if hasattr(rows, "for_page") else rows

    def _rows_with_count(self, number: Any) -> tuple[int, list[Any]] | None:
        """(number, rows) of the requested page, caching the total read alongside; None when the
        number is not a page number or the page is empty (validate_number then asks for the count)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        if number < 1 or (number - 1) * self.per_page > MAX_OFFSET:
            return None  # validate_number then answers as for any page past the end
        # COUNT(*), not COUNT(id): a count that reads no column can use the narrowest index that
        # covers the filter (proposal_status_revision), not one that also holds id.
        total = (
            self.object_list.order_by()
            .annotate(_n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("_n")
        )
        bottom = (number - 1) * self.per_page
        # The last page may take up to `orphans` more rows: fetch them, trim once the count is known.
        keys = self._keys(bottom, bottom + self.per_page + self.orphans)
        rows = list(self._rows_qs(keys).annotate(_total=Subquery(total, output_field=IntegerField())))
        if not rows:
            return None
        self.count = rows[0]._total
        return number, rows


class DeferredJoinPagination(PageNumberPagination):
    """DRF page-number pagination with the deferred join above."""

    django_paginator_class = DeferredJoinPaginator
