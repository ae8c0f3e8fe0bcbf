"""Per-row counts and lists for list pages: how many related rows each listed proposal has, and
the distinct codes among them (a row's destinations, say)."""

import json
from typing import Any

from django.db.models import Count, Field, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_per_proposal(model: type[Any], **filters: Any) -> Coalesce:
    """How many rows of `model` (filtered by `filters`) belong to each proposal, as a correlated
    subquery: PostgreSQL runs it only for the rows a page returns, where Count() over a join would
    group every matching proposal before LIMIT."""
    rows = (
        model.objects.filter(proposal=OuterRef("pk"), **filters)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


class _Codes(Field):
    """A list of codes as `distinct_per_proposal` reads it: an array on PostgreSQL, JSON text on
    SQLite, no list (no related rows) as an empty one. Only ever an expression's output."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[Any]:
        if value is None:
            return []
        return json.loads(value) if isinstance(value, str) else list(value)


class _DistinctList(Func):
    """The distinct values of a column over a (sub)query's rows as one list, in no order."""

    template = "%(function)s(DISTINCT %(expressions)s)"
    output_field = _Codes()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="ARRAY_AGG", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def distinct_per_proposal(model: type[Any], column: str, **filters: Any) -> Subquery:
    """The distinct values of `column` among each proposal's rows of `model` (filtered by
    `filters`), as a list in no order (empty for none): a correlated subquery, run for the rows a
    page returns, so a page reads its rows' lists in its own statement, not in one of their own."""
    rows = (
        model.objects.filter(proposal=OuterRef("pk"), **filters)
        .order_by()
        .values(codes=_DistinctList(column))
    )
    return Subquery(rows, output_field=_Codes())
