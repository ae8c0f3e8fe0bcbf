"""Paging long lists: pick the page's keys first, then load only those rows (a "deferred join").

With LIMIT/OFFSET on the full row, PostgreSQL sorts every matching row with all its columns (and
joins) before skipping to the page: at 100,000 proposals a deep page sorted tens of megabytes on
disk. Sorting keys alone stays in memory and the page's rows are then read by primary key
(bench/, issue 8). Web views use `DeferredJoinPaginator`; the API uses `DeferredJoinPagination`.

A list may bound its total (`count_exact_up_to`, decided by proposals.search for searched lists):
past the bound it is counted only as far as the page needs, and says so (`count_is_exact`), as search
engines do (docs/decisions/0010-bounded-search-totals.md).
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.expressions import Expression, RawSQL
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

log = logging.getLogger(__name__)

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

    `count_exact_up_to`, if given, bounds the total: `COUNT(*)` over the matching keys `LIMIT n`,
    where n is one more than the bound or than the rows up to the end of the requested page, whichever
    is larger. So the count stops early on a large match, and a page past the bound still knows it has
    rows and whether another follows. When the limit is reached the count is a lower bound:
    `count_is_exact` is False, and `count_exceeds` / `num_pages_exceeds` are the figures the list is
    known to be larger than ("more than 1,000 proposals", "page 3 of more than 40"). `count_matches`,
    if given, is what that count reads instead of the list: as many rows, in a shape that stops early
    (a searched list's summaries, proposals.search.selectors.search_matches).

    `total_kept`, if given, is the exact total as an expression read from counts the database keeps
    (proposals.intake.selectors.proposal_total_kept): selected beside the keys instead of a COUNT,
    and checked against the rows read with it: a page they contradict is counted (fails closed).

    `keyed_rows`, given or set by a subclass, reads a page's rows by its keys (in the keys' order)
    through a statement compiled once a process (proposals.core.statements.KeyedStatement): the keys
    are then read with the total beside them, and the rows by those keys, in two statements.
    Building and compiling the rows' joins and annotations on every request cost more CPU than
    PostgreSQL took to answer them (the Commerce queue, the proposals API, the EXIM pipeline and the
    dashboards; issue 16).
    """

    keyed_rows: Callable[[Sequence[int]], list[Any]] | None = None

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *args: Any,
        count: int | None = None,
        rows: Callable[[QuerySet], Iterable[Any]] | None = None,
        count_exact_up_to: int | None = None,
        count_matches: QuerySet | None = None,
        total_kept: Expression | None = None,
        keyed_rows: Callable[[Sequence[int]], list[Any]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kw)
        self.rows = rows
        if keyed_rows is not None:
            self.keyed_rows = keyed_rows
        self.count_matches = count_matches
        self.total_kept = total_kept if isinstance(object_list, QuerySet) else None
        self.count_exact_up_to = count_exact_up_to if self._boundable() else None
        # The LIMIT the (bounded) count was, or will be, read with; None: counted exactly.
        self._count_limit = None if self.count_exact_up_to is None else self.count_exact_up_to + 1
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its cached value
            self._count_limit = None

    @classmethod
    def of_filterset(cls, filterset: Any, per_page: int, **kw: Any) -> "DeferredJoinPaginator":
        """A paginator over a filterset's rows, with the total bounded as the filterset decides for a
        searched list (`bounds_of`)."""
        return cls(filterset.qs, per_page, **bounds_of(filterset), **kw)

    @cached_property
    def count(self) -> int:
        if self._count_limit is None and self.total_kept is not None:
            # The kept total beside any one row of the table it counts (none: no rows, none kept).
            model = self.object_list.model
            kept = model._base_manager.order_by().annotate(_n=self.total_kept).values_list("_n", flat=True)
            return next(iter(kept[:1]), 0)
        if self._count_limit is None:
            return super().count
        sql, params = self._bounded_count_sql(self._count_limit)
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    @property
    def count_is_exact(self) -> bool:
        """Whether `count` is the number of matching rows, not a lower bound of it."""
        return self._count_limit is None or self.count < self._count_limit

    @property
    def count_exceeds(self) -> int:
        """When the count is not exact: the number the matching rows are known to be more than."""
        return self.count - 1

    @property
    def num_pages_exceeds(self) -> int:
        """When the count is not exact: the number the pages are known to be more than."""
        return self.num_pages - 1

    def validate_number(self, number: Any) -> int:
        # A page the count already shows to exist needs no further count (Page.next_page_number
        # validates the next page: the count for this page reached one row into it).
        self._count_for(number, known_to_exist=True)
        return super().validate_number(number)

    def get_page(self, number: Any) -> Page:
        """As Paginator.get_page. A list with a kept total reads the page (its rows with the total)
        before judging the number, so that the total is checked against the rows
        (`_kept_total_holds`) before it may refuse a page."""
        if self.total_kept is None:
            return super().get_page(number)
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        self._count_for(number)
        query = self.object_list.query
        plain = not (query.distinct or query.group_by is not None or query.combinator or self.rows)
        fetched = None
        # A kept total is read beside the page's rows even when known, to be checked against them.
        if plain and ("count" not in self.__dict__ or self.total_kept is not None):
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

    def _boundable(self) -> bool:
        # A grouped or combined query's rows are not its matching keys: such a list counts exactly.
        if not isinstance(self.object_list, QuerySet):
            return False
        query = self.object_list.query
        return query.group_by is None and not query.combinator

    def _count_for(self, number: Any, *, known_to_exist: bool = False) -> None:
        """Make a bounded count reach past the end of page `number` (plus one row, to know of a next
        page): a count read for an earlier page, that stopped at its limit, is read again (unless
        `known_to_exist` suffices and the page is within the pages counted)."""
        if self.count_exact_up_to is None or self._count_limit is None:
            return
        limit = self.count_exact_up_to + 1
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 0  # not a page number: the bound alone (validate_number answers as usual)
        if wanted >= 1 and (wanted - 1) * self.per_page <= MAX_OFFSET:
            limit = max(limit, wanted * self.per_page + self.orphans + 1)
        if "count" in self.__dict__:
            if self.count < self._count_limit or self._count_limit >= limit:
                return  # exact, or already far enough
            if known_to_exist and 1 <= wanted <= self.num_pages:
                return
            del self.__dict__["count"]
            self.__dict__.pop("num_pages", None)
        self._count_limit = max(self._count_limit, limit)

    def _bounded_count_sql(self, limit: int) -> tuple[str, list[Any]]:
        """`SELECT COUNT(*) FROM (the matching keys LIMIT limit)`: reads at most `limit` matches."""
        queryset = (self.object_list if self.count_matches is None else self.count_matches).order_by()
        # A constant reads no column (an index can answer alone); DISTINCT counts distinct keys.
        matches = queryset.values("pk") if queryset.query.distinct else queryset.values(_one=Value(1))
        try:
            sql, params = matches[:limit].query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            # A list that can match nothing (none(), `__in=[]`: a user of no consortium) compiles to
            # no SQL; the ORM answers such a count with 0 without a query, so the statement says 0.
            return "SELECT 0", []
        return f"SELECT COUNT(*) FROM ({sql}) AS matches", list(params)

    def page_keys(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The query that picks the page's keys; a subclass may narrow its joins (same rows)."""
        return queryset

    def _keys(self, bottom: int, top: int) -> QuerySet:
        """The page's keys, sorted and sliced: the only step that reads every matching row."""
        return self.page_keys(self.object_list).prefetch_related(None).values("pk")[bottom:top]

    def _rows_qs(self, keys: Any) -> Any:
        if self.keyed_rows is not None:
            # The keys as `page` passes them: their query (values("pk")), or a list of ids (a
            # DISTINCT or grouped list, read in two steps).
            ids = keys.values_list("pk", flat=True) if isinstance(keys, QuerySet) else keys
            return self.keyed_rows(list(ids))
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
        total: Any
        if self._count_limit is not None:
            total = RawSQL(*self._bounded_count_sql(self._count_limit), output_field=IntegerField())
        elif self.total_kept is not None:
            total = self.total_kept
        else:
            # COUNT(*), not COUNT(id): a count that reads no column can use the narrowest index that
            # covers the filter (proposal_status_revision), not one that also holds id.
            counted = (
                self.object_list.order_by()
                .annotate(_n=Func(template="COUNT(*)", output_field=IntegerField()))
                .values("_n")
            )
            total = Subquery(counted, output_field=IntegerField())
        bottom = (number - 1) * self.per_page
        # The last page may take up to `orphans` more rows: fetch them, trim once the count is known.
        keys = self._keys(bottom, bottom + self.per_page + self.orphans)
        found = self._rows_and_total(keys, total)
        if total is self.total_kept and not self._kept_total_holds(found, bottom):
            # Fail closed: a kept total the page's rows contradict is counted instead of shown.
            self.total_kept = None
            self.__dict__.pop("count", None)
            self.__dict__.pop("num_pages", None)
            return self._rows_with_count(number)
        if found is None:
            return None
        self.count, rows = found
        return number, rows

    def _kept_total_holds(self, found: tuple[int, list[Any]] | None, bottom: int) -> bool:
        """Whether the rows read from `bottom` (up to a page and its orphans) are as many as the kept
        total leaves there. An empty page cannot tell (past the end, or a total too large): False, so
        it is counted, as such a page always was. Rows the total cannot hold mean the counts were
        written around their triggers (a load with triggers off, a partial restore): logged."""
        if found is None:
            return False
        total, rows = found
        if len(rows) == min(max(total - bottom, 0), self.per_page + self.orphans):
            return True
        log.error(
            "%s: the kept total (%s) contradicts the %s rows from row %s; counted instead. "
            "Check and repair with `manage.py tally_rebuild`.",
            self.object_list.model._meta.label,
            total,
            len(rows),
            bottom,
        )
        return False

    def _rows_and_total(self, keys: QuerySet, total: Any) -> tuple[int, list[Any]] | None:
        """(total, rows) of the page whose sorted keys are `keys`, None when it has no rows: one
        statement, the rows by their keys with the total beside them. A subclass that reads its rows
        otherwise (`keyed_rows`) keeps the total in the keys' statement."""
        if self.keyed_rows is not None:
            pairs = list(keys.annotate(_total=total).values_list("pk", "_total"))
            return (pairs[0][1], self.keyed_rows([pk for pk, _ in pairs])) if pairs else None
        rows = list(self._rows_qs(keys).annotate(_total=total))
        return (rows[0]._total, rows) if rows else None


def bounds_of(filterset: Any) -> dict[str, Any]:
    """How the list's total is read, as the filterset decides and DeferredJoinPaginator takes it: the
    bounded total of a searched list (proposals.search: `count_exact_up_to` with `count_matches`,
    together, as the bound without what it counts would count the list the slow way), or the total
    kept by the database for a list narrowed only by state (`total_kept`). Neither: a COUNT."""
    bound = getattr(filterset, "count_exact_up_to", None)
    if bound is None:
        kept = getattr(filterset, "total_kept", None)
        return {} if kept is None else {"total_kept": kept}
    return {"count_exact_up_to": bound, "count_matches": getattr(filterset, "count_matches", None)}


class DeferredJoinPagination(PageNumberPagination):
    """DRF page-number pagination with the deferred join above.

    The total is bounded as the view's filterset decides (`bounds_of`, when the filter backend left it
    on the view as `filterset`): the body then says whether `count`
    is exact (`count_exact`; when false, `count` is a lower bound and `next` still leads on).
    """

    paginator_class: type[DeferredJoinPaginator] = DeferredJoinPaginator
    # What each page holds (see DeferredJoinPaginator's `rows`); None: the queryset's own rows.
    rows: Callable[[QuerySet], Iterable[Any]] | None = None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        self.bounds = bounds_of(getattr(view, "filterset", None))
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list: Any, per_page: int) -> DeferredJoinPaginator:
        return self.paginator_class(
            object_list,
            per_page,
            rows=type(self).rows,  # read off the class: a function there is not a method
            **getattr(self, "bounds", {}),
        )

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        body = response.data
        response.data = {
            "count": body.pop("count"),
            "count_exact": self.page.paginator.count_is_exact,
            **body,
        }
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"] = {
            **properties["count"],
            "description": "How many results match; a lower bound when `count_exact` is false.",
        }
        paginated["properties"] = {
            "count": properties.pop("count"),
            "count_exact": {
                "type": "boolean",
                "example": True,
                "description": "False when a search's matches were counted only up to a bound "
                "(`count` is then a lower bound; `next` still leads to the following page).",
            },
            **properties,
        }
        paginated["required"] = [*paginated.get("required", []), "count_exact"]
        return paginated
