"""Paging long lists: pick the page's keys first, then load only those rows (a "deferred join").

With LIMIT/OFFSET on the full row, PostgreSQL sorts every matching row with all its columns (and
joins) before skipping to the page: at 100,000 proposals a deep page sorted tens of megabytes on
disk. Sorting keys alone stays in memory and the page's rows are then read by primary key
(bench/, issue 8). Web views use `DeferredJoinPaginator`; the API uses `DeferredJoinPagination`.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


class DeferredJoinPaginator(Paginator):
    """A Django Paginator over a QuerySet that selects the page's primary keys, then their rows.

    `rows`, if given, turns the page's queryset into what the page holds (say `.values_list(...,
    named=True)`, each row with a `pk`): the count and the keys still come from the plain queryset,
    without the joins the selected values would add to them.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *args: Any,
        rows: Callable[[QuerySet], Iterable[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(
            self.page_keys(self.object_list).prefetch_related(None).values_list("pk", flat=True)[bottom:top]
        )
        page_rows = self.object_list.filter(pk__in=keys)
        rows = {row.pk: row for row in (self.rows(page_rows) if self.rows else page_rows)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    def page_keys(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The query that picks the page's keys; a subclass may narrow its joins (same rows)."""
        return queryset


class DeferredJoinPagination(PageNumberPagination):
    """DRF page-number pagination with the deferred join above."""

    django_paginator_class = DeferredJoinPaginator
