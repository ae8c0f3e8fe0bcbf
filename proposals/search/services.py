"""Writes of search: the proposals' search summaries (kept in step by every edit) and saved filters.

The summary of a proposal is rewritten, in the caller's transaction, by every service that changes
what it holds: drafting (title, sites, line items, parties, target countries, the bill-of-materials
import) and the consortium's members. `search_rebuild` rewrites every summary in one INSERT .. SELECT
on PostgreSQL (the backfill migration, `manage.py search_rebuild`, the bench seed).
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.commerce.policy.eccn import normalize_eccn
from proposals.core import page_cache
from proposals.core.errors import InvalidInput
from proposals.core.models.reference import Country
from proposals.intake.models.consortium import ConsortiumMember
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.search.enums import SearchList
from proposals.search.models import ProposalSearch, SavedFilter
from proposals.search.policy import eccn_search_keys, search_text

# Proposals refreshed per batch when one change touches many (a member of a big consortium).
REFRESH_BATCH = 500


def _summaries(ids: list[int]) -> list[ProposalSearch]:
    """Build the summaries of these proposals from their parts (seven queries a batch): the embedded
    SQLite's way to what REBUILD_SQL writes on PostgreSQL (tests/search compares the two)."""
    proposals = list(Proposal.objects.filter(pk__in=ids).values_list("pk", "title", "consortium_id"))
    consortia = {c for _, _, c in proposals}
    names: dict[int, list[str]] = defaultdict(list)
    for consortium_id, name in (
        ConsortiumMember.objects.filter(consortium_id__in=consortia)
        .order_by("company__legal_name", "pk")
        .values_list("consortium_id", "company__legal_name")
    ):
        names[consortium_id].append(name)
    consortium_names = dict(
        Proposal.objects.filter(pk__in=ids).values_list("consortium_id", "consortium__name").distinct()
    )
    eccns: dict[int, set[str]] = defaultdict(set)
    for pk, eccn in (
        LineItem.objects.filter(proposal_id__in=ids).exclude(eccn="").values_list("proposal_id", "eccn")
    ):
        eccns[pk].add(normalize_eccn(eccn))
    countries: dict[int, set[str]] = defaultdict(set)
    for pk, code in Site.objects.filter(proposal_id__in=ids).values_list("proposal_id", "country_id"):
        countries[pk].add(code)
    targets = Proposal.target_countries.through.objects.filter(proposal_id__in=ids)
    for pk, code in targets.values_list("proposal_id", "country_id"):
        countries[pk].add(code)
    parties: dict[int, list[str]] = defaultdict(list)
    for pk, name in (
        Party.objects.filter(proposal_id__in=ids).order_by("pk").values_list("proposal_id", "name")
    ):
        parties[pk].append(name)
    every_code = set().union(*countries.values()) if countries else set()
    country_names = dict(Country.objects.filter(code__in=every_code).values_list("code", "name"))
    now = timezone.now()
    rows = []
    for pk, title, consortium_id in proposals:
        codes = sorted(countries[pk])
        items = sorted(eccns[pk])
        text = search_text(
            [
                title,
                consortium_names.get(consortium_id, ""),
                *names[consortium_id],
                *parties[pk],
                *(f"{code} {country_names.get(code, '')}" for code in codes),
                *items,
            ]
        )
        rows.append(
            ProposalSearch(
                proposal_id=pk,
                eccns=eccn_search_keys(items),
                item_eccns=items,
                countries=codes,
                text=text,
                refreshed_at=now,
            )
        )
    return rows


def _upsert(rows: list[ProposalSearch]) -> None:
    ProposalSearch.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["proposal"],
        update_fields=["eccns", "item_eccns", "countries", "text", "refreshed_at"],
    )


def search_refresh(*, proposal_ids: Iterable[int]) -> int:
    """Rewrite the summaries of these proposals, in the caller's transaction; returns how many.

    PostgreSQL: one statement (REBUILD_SQL for these ids); elsewhere `_summaries` in batches."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return 0
    # The Commerce queue's cached pages filter on the summaries (a raw write sends no model signal).
    page_cache.bump(page_cache.COMMERCE_QUEUE)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(REBUILD_SQL.replace("{where}", "WHERE p.id = ANY(%s)"), [ids])
            return cursor.rowcount
    done = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        rows = _summaries(ids[start : start + REFRESH_BATCH])
        _upsert(rows)
        done += len(rows)
    return done


def search_refresh_consortia(*, consortium_ids: Iterable[int]) -> int:
    """A consortium's name or members changed: rewrite the summaries of all its proposals."""
    ids = Proposal.objects.filter(consortium_id__in=list(consortium_ids)).values_list("pk", flat=True)
    return search_refresh(proposal_ids=list(ids))


# Every summary in one statement (PostgreSQL): the same words, codes and keys `_summaries` builds
# (tests/search/test_summary.py compares the two). Words are runs of letters and digits with inner dots.
_WORDS = r"[[:alnum:]]+(\.[[:alnum:]]+)*"


def _normalized(column: str) -> str:
    """normalize_eccn in SQL: spaces out, then a head (3A090) in capitals and its paragraphs in lower
    case, anything else in capitals; compared and sorted as Python does (COLLATE "C")."""
    clean = f"replace(btrim({column}, E' \\t\\n\\r\\f\\v'), ' ', '')"
    return (
        f"(CASE WHEN {clean} ~* '^[0-9][A-Z][0-9]{{3}}(\\..*)?$' "
        f'THEN upper(left({clean}, 5)) || lower(substr({clean}, 6)) ELSE upper({clean}) END) COLLATE "C"'
    )


REBUILD_SQL = f"""
INSERT INTO proposals_proposalsearch (proposal_id, eccns, item_eccns, countries, text, document, refreshed_at)
SELECT s.id, s.eccns, s.item_eccns, s.countries, s.text, to_tsvector('simple', s.text), now()
FROM (
    SELECT p.id, e.keys AS eccns, e.normalized AS item_eccns, d.codes AS countries,
           array_to_string(ARRAY(
               SELECT m[1] FROM regexp_matches(lower(concat_ws(' ',
                   p.title, c.name, mem.names, par.names, d.words, e.items)), '({_WORDS})', 'g') AS m
           ), ' ') AS text
    FROM proposals_proposal p
    JOIN proposals_consortium c ON c.id = p.consortium_id
    LEFT JOIN LATERAL (
        SELECT string_agg(co.legal_name, ' ' ORDER BY co.legal_name COLLATE "C", cm.id) AS names
        FROM proposals_consortiummember cm JOIN proposals_company co ON co.id = cm.company_id
        WHERE cm.consortium_id = p.consortium_id
    ) mem ON TRUE
    LEFT JOIN LATERAL (
        SELECT string_agg(pa.name, ' ' ORDER BY pa.id) AS names FROM proposals_party pa
        WHERE pa.proposal_id = p.id
    ) par ON TRUE
    LEFT JOIN LATERAL (
        SELECT coalesce(array_agg(x.code ORDER BY x.code COLLATE "C"), '{{}}') AS codes,
               string_agg(x.code || ' ' || coalesce(k.name, ''), ' ' ORDER BY x.code COLLATE "C") AS words
        FROM (
            SELECT s.country_id AS code FROM proposals_site s WHERE s.proposal_id = p.id
            UNION
            SELECT t.country_id FROM proposals_proposal_target_countries t WHERE t.proposal_id = p.id
        ) x LEFT JOIN proposals_country k ON k.code = x.code
    ) d ON TRUE
    LEFT JOIN LATERAL (
        SELECT string_agg(DISTINCT i.eccn, ' ' ORDER BY i.eccn) COLLATE "default" AS items,
               coalesce(array_agg(DISTINCT i.normalized ORDER BY i.normalized), '{{}}') AS normalized,
               coalesce(array_agg(DISTINCT k.key ORDER BY k.key) FILTER (WHERE k.key <> ''), '{{}}') AS keys
        FROM (
            SELECT DISTINCT li.eccn COLLATE "C" AS eccn, {_normalized("li.eccn")} AS normalized
            FROM proposals_lineitem li WHERE li.proposal_id = p.id AND li.eccn <> ''
        ) i
        CROSS JOIN LATERAL (VALUES (upper(i.normalized)), (split_part(upper(i.normalized), '.', 1))) k (key)
    ) e ON TRUE
    {{where}}
) s
ON CONFLICT (proposal_id) DO UPDATE SET eccns = EXCLUDED.eccns, item_eccns = EXCLUDED.item_eccns,
    countries = EXCLUDED.countries,
    text = EXCLUDED.text, document = EXCLUDED.document, refreshed_at = EXCLUDED.refreshed_at
"""


def search_rebuild() -> int:
    """Rewrite every proposal's summary: one INSERT .. SELECT on PostgreSQL (the backfill migration,
    `manage.py search_rebuild`, the bench seed), batches of `_summaries` elsewhere."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            return search_refresh(proposal_ids=Proposal.objects.values_list("pk", flat=True))
        page_cache.bump(page_cache.COMMERCE_QUEUE)
        with connection.cursor() as cursor:
            cursor.execute(REBUILD_SQL.replace("{where}", ""))
            return cursor.rowcount


# --- Saved filters --------------------------------------------------------------------------------

# Each list's FilterSet (its selectors), by dotted path: a saved query must be one the list accepts.
LIST_FILTERS = {
    SearchList.PROPOSALS: "proposals.intake.selectors.ProposalFilter",
    SearchList.COMMERCE_QUEUE: "proposals.commerce.selectors.CommerceQueueFilter",
    SearchList.EXIM_PIPELINE: "proposals.exim.selectors.DealFilter",
}
# Who may save a filter on each list: who may open it (the list pages' own permissions).
LIST_PERMS = {
    SearchList.PROPOSALS: None,
    SearchList.COMMERCE_QUEUE: "proposals.commerce_workspace",
    SearchList.EXIM_PIPELINE: "proposals.view_deal",
}
# Never part of a saved filter: which page, and the form's own fields.
NOT_SAVED = ("page", "page_size", "csrfmiddlewaretoken", "name", "list_name")
MAX_SAVED_FILTERS = 50


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {field: [message]}})


def saved_filter_query(*, list_name: str, query: str) -> str:
    """The query to save for this list: without paging, every parameter one the list accepts."""
    if list_name not in SearchList.values:
        raise _invalid("list_name", "Choose one of the lists.")
    params = QueryDict(query, mutable=True)
    for key in NOT_SAVED:
        params.pop(key, None)
    # A form's empty fields are no filter (and the API refuses an empty parameter): not saved.
    for key in list(params):
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            params.setlist(key, values)
        else:
            del params[key]
    filterset = import_string(LIST_FILTERS[SearchList(list_name)])(params)
    unknown = sorted(set(params) - set(filterset.filters))
    if unknown:
        raise InvalidInput(
            "This filter has parameters the list does not know.",
            extra={"fields": {"query": [f"Unknown: {', '.join(unknown)}."]}},
        )
    if not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in filterset.errors.items())
        raise _invalid("query", f"This filter is not valid: {errors}")
    return params.urlencode()


def saved_filter_create(*, user: Any, list_name: str, name: str, query: str) -> SavedFilter:
    """Save a named filter of `list_name` for this user (a name once per list)."""
    name = (name or "").strip()
    if not name:
        raise _invalid("name", "Give the filter a name.")
    if len(name) > SavedFilter._meta.get_field("name").max_length:
        raise _invalid("name", "Use at most 80 characters.")
    clean = saved_filter_query(list_name=list_name, query=query)
    perm = LIST_PERMS[SearchList(list_name)]
    if perm and not user.has_perm(perm):
        raise _invalid("list_name", "You cannot open this list.")
    with transaction.atomic():
        mine = SavedFilter.objects.select_for_update().filter(user=user)
        if mine.filter(list_name=list_name, name__iexact=name).exists():
            raise _invalid("name", f"You already have a filter named “{name}” on this list.")
        if mine.count() >= MAX_SAVED_FILTERS:
            raise _invalid("name", f"You have {MAX_SAVED_FILTERS} saved filters: delete one first.")
        saved = SavedFilter.objects.create(user=user, list_name=list_name, name=name, query=clean)
        page_cache.bump(page_cache.COMMERCE_QUEUE)  # the cached queue lists the user's saved filters
        return saved


def saved_filter_delete(*, user: Any, pk: int) -> None:
    """Delete one of the user's saved filters (another user's is not found)."""
    deleted, _ = SavedFilter.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise SavedFilter.DoesNotExist
    page_cache.bump(page_cache.COMMERCE_QUEUE)
