"""The search summary of each proposal, and the filters users save on a list.

`ProposalSearch` is derived data: services.search writes it in the same transaction as every edit
that changes what it holds (title, line items, sites, target countries, parties, the consortium's
members), a migration filled it for existing proposals, `manage.py search_rebuild` rewrites it, and
the sweeper rebuilds a missing row (selectors.owed_search_summary).
"""

import json
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from proposals.search.enums import SearchList


class CodeListField(ArrayField):
    """A list of short codes: text[] on PostgreSQL (GIN-indexed, found with @>), JSON text on the
    embedded SQLite (found with a plain LIKE on the quoted code)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_field", models.CharField(max_length=32))
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"

    def cast_db_type(self, connection: Any) -> str:
        return super().cast_db_type(connection) if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return (
            super().get_placeholder(value, compiler, connection)
            if connection.vendor == "postgresql"
            else "%s"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor == "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        return None if value is None else json.dumps(list(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class ProposalSearch(models.Model):
    """What lists search on for one proposal (one row each, written only by services.search)."""

    proposal = models.OneToOneField(
        "Proposal", on_delete=models.CASCADE, primary_key=True, related_name="search_summary"
    )
    # ECCN keys (upper case) of the line items, with their heads: 3A090.A and 3A090.
    eccns = CodeListField()
    # The line items' ECCNs as the EAR writes them (normalize_eccn: 3A090.a), sorted, each once: what
    # a list row shows (the Commerce queue reads them here, not from the line items).
    item_eccns = CodeListField()
    # Destination countries: the sites' countries and the target countries.
    countries = CodeListField()
    # Lower-case words of the title, consortium, members, parties, destinations and ECCNs.
    text = models.TextField(blank=True)
    # PostgreSQL only: to_tsvector('simple', text), GIN-indexed (migration 0025); NULL on SQLite.
    document = SearchVectorField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = "proposal search summary"
        verbose_name_plural = "proposal search summaries"

    def __str__(self) -> str:
        return f"search summary of proposal {self.proposal_id}"


class SavedFilter(models.Model):
    """A user's named filter on one list: the list's query string, checked when it was saved."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    list_name = models.CharField("list", max_length=32, choices=SearchList.choices)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["list_name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name", "name"], name="saved_filter_name_once")
        ]

    def __str__(self) -> str:
        return self.name
