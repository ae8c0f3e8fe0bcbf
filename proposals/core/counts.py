"""Per-row counts for list pages: how many related rows each listed proposal has."""

from typing import Any

from django.db.models import Count, OuterRef, Subquery
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
