"""Reads of search: the filters every list shares (text, ECCN, destination), and saved filters.

On PostgreSQL a filter reads the summaries' GIN indexes (eccns and countries with @>, the text's
tsvector with @@) and hands the list the matching proposal ids as a subquery; on the embedded SQLite
it is a plain substring match on the same columns.
"""

from datetime import datetime
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

from proposals.core.models.reference import Country
from proposals.core.selectors import CountryChoiceField
from proposals.core.statements import KeyedStatement
from proposals.core.widgets import inline_options
from proposals.intake.models.proposal import Proposal
from proposals.search.models import ProposalSearch, SavedFilter
from proposals.search.policy import eccn_filter_key, narrows_by_search, search_query, search_total_bound


def matching_summaries(*, text: str = "", eccn: str = "", country: str = "") -> QuerySet[ProposalSearch]:
    """The summaries that match every given criterion (`eccn` already a key, `country` a code)."""
    rows = ProposalSearch.objects.all()
    query = search_query(text)
    postgres = connection.vendor == "postgresql"
    if eccn:
        rows = (
            rows.filter(eccns__contains=[eccn])
            if postgres
            else rows.alias(e=Cast("eccns", TextField())).filter(e__contains=f'"{eccn}"')
        )
    if country:
        rows = (
            rows.filter(countries__contains=[country])
            if postgres
            else rows.alias(c=Cast("countries", TextField())).filter(c__contains=f'"{country}"')
        )
    if query.terms:
        if postgres:
            rows = rows.filter(document=SearchQuery(query.tsquery(), search_type="raw", config="simple"))
        else:
            for term in query.terms:
                rows = rows.filter(text__contains=term)
    return rows


def search_filter(
    queryset: QuerySet[Any], *, path: str = "pk", text: str = "", eccn: str = "", country: str = ""
) -> QuerySet[Any]:
    """Keep the rows of `queryset` whose proposal (at `path`) matches; unchanged when nothing is given."""
    if not narrows_by_search(text=text, eccn=eccn, country=country):
        return queryset
    ids = matching_summaries(text=text, eccn=eccn, country=country).values("proposal_id")
    return queryset.filter(**{f"{path}__in": ids})


def search_matches(
    rows: QuerySet[Any], *, path: str = "pk", text: str = "", eccn: str = "", country: str = ""
) -> QuerySet[ProposalSearch]:
    """The matching summaries that have a row in `rows` (a list before its search filter, one row
    a proposal at most: `path` is its id or a one-to-one to it): as many as the searched list's rows.

    What a searched list's bounded total counts (DeferredJoinPaginator's `count_matches`): read from
    the summaries' index, each checked against the list by its key in a scalar subquery, which
    PostgreSQL cannot turn into a join. Counted as the list itself, a LIMIT of 1,001 still let the
    planner hash every queued proposal first (50,000 rows, 11 ms for destination AE); read this way
    it stops after about 1,001 summaries (5 ms)."""
    row = rows.filter(**{path: OuterRef("proposal_id")}).order_by().values("pk")[:1]
    return (
        matching_summaries(text=text, eccn=eccn, country=country)
        .alias(_row=Subquery(row))
        .filter(_row__isnull=False)
    )


class EccnField(forms.CharField):
    """An ECCN typed in a filter: 3A090 (and its paragraphs) or 3A090.a, or EAR99; case-free."""

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        key = eccn_filter_key(value)
        if key is None:
            raise forms.ValidationError("Enter an ECCN such as 3A090, 3A090.a or EAR99.", code="invalid_eccn")
        return key


class EccnFilter(django_filters.CharFilter):
    field_class = EccnField


class CountryFilter(django_filters.ModelChoiceFilter):
    """A country filter whose select shows the per-process country list (no query to render it)."""

    field_class = CountryChoiceField


# (FilterSet class, its filters' names) -> its form class (SearchFilterSet.get_form_class).
_FORM_CLASSES: dict[tuple[type, tuple[str, ...]], type[forms.Form]] = {}


class SearchFilterSet(django_filters.FilterSet):
    """The search box, ECCN and destination filters, for any list whose rows lead to a proposal.

    A subclass sets `search_path` to the proposal's id on its rows ("pk" for proposals, "proposal_id"
    for deals: one row a proposal at most, which the bounded total relies on, search_matches).
    """

    search_path = "pk"

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Words of the title, consortium, member or party names, destinations or ECCNs.",
        max_length=200,
    )
    eccn = EccnFilter(
        method="filter_search", label="ECCN", help_text="An ECCN (3A090 includes 3A090.a) or EAR99."
    )
    destination = CountryFilter(
        queryset=Country.objects.all(),
        method="filter_search",
        label="Destination country",
        help_text="A site's or a target country (ISO 3166-1 alpha-2 code in the API).",
    )

    def get_form_class(self) -> type[forms.Form]:
        """The form, built once a process for each FilterSet class: django-filter builds a new form
        class with new fields and widgets for every instance, about 1.9 ms of every list page (issue
        16). Each form still gets its own copy of the fields; callable choices are read when shown."""
        key = (type(self), tuple(self.filters))
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            # Design-system classes on the widgets django-filter builds plain (the list pages show
            # them), and selects and inputs that write their HTML without a template each: the
            # destination select has ~250 countries, and Django's widget templates cost more than
            # the list's rows.
            for f in form_class.base_fields.values():
                f.widget.attrs.setdefault("class", "usa-select" if hasattr(f, "choices") else "usa-input")
                f.widget = inline_options(f.widget)
            _FORM_CLASSES[key] = form_class
        return form_class

    def _search_criteria(self) -> dict[str, str]:
        """The search box, ECCN and destination of a valid form, as search_filter takes them."""
        data = self.form.cleaned_data
        country = data.get("destination") or data.get("country")
        return {
            "text": data.get("q") or "",
            "eccn": data.get("eccn") or "",
            "country": country.pk if country else "",
        }

    @property
    def count_exact_up_to(self) -> int | None:
        """The bound of the list's total (DeferredJoinPaginator's `count_exact_up_to`): set when the
        search summary narrows the list (proposals.search.policy.search_total_bound), else None."""
        if not self.is_valid():
            return None
        return search_total_bound(**self._search_criteria())

    @property
    def count_matches(self) -> QuerySet[ProposalSearch] | None:
        """What the bounded total counts (DeferredJoinPaginator's `count_matches`), when there is a
        bound: the matching summaries that have a row in the list with its other filters."""
        if self.count_exact_up_to is None:
            return None
        self._without_search = True  # the list with every other filter (a subclass's own too)
        try:
            rows = self.filter_queryset(self.queryset.all())
        finally:
            self._without_search = False
        return search_matches(rows, path=self.search_path, **self._search_criteria())

    def filter_search(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        # The three are one filter on the summary (one subquery), applied once, by the first of them.
        if getattr(self, "_searched", False):
            return queryset
        self._searched = True
        return search_filter(queryset, path=self.search_path, **self._search_criteria())

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        self._searched = getattr(self, "_without_search", False)
        return super().filter_queryset(queryset)


def owed_search_summary(*, older_than: datetime) -> QuerySet[Proposal]:
    """Proposals without a search summary (written outside the services: the admin, a script): the
    sweeper has them rebuilt, so a list filter never misses one for longer than a sweep."""
    return (
        Proposal.objects.filter(updated_at__lt=older_than)
        .exclude(Exists(ProposalSearch.objects.filter(proposal_id=OuterRef("pk"))))
        .order_by("updated_at", "pk")
    )


def saved_filters_listed(user: Any, *, list_name: str) -> list[SavedFilter]:
    """The user's saved filters of one list, by name, as its page lists them on every visit: read by
    a statement compiled once a process (building it was most of its cost; issue 16). The same rows
    as `saved_filters_for(user, list_name=...)`, in the same order where the database sorts text by
    code point (PostgreSQL's C.UTF-8, SQLite)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = (
        SavedFilter(id=pk, user_id=user.pk, list_name=listed, name=name, query=query)
        for pk, listed, name, query in _SAVED_FILTERS.rows([user.pk])
        if listed == list_name
    )
    return sorted(rows, key=lambda saved: (saved.name, saved.pk))


_SAVED_FILTERS = KeyedStatement(
    lambda: SavedFilter.objects.values_list("pk", "list_name", "name", "query"), key="user_id"
)


def saved_filters_for(user: Any, *, list_name: str | None = None) -> QuerySet[SavedFilter]:
    """The user's own saved filters (of one list, when given)."""
    if not getattr(user, "is_authenticated", False):
        return SavedFilter.objects.none()
    rows = SavedFilter.objects.filter(user=user)
    return rows.filter(list_name=list_name) if list_name else rows
