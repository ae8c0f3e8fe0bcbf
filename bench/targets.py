"""What `make bench` measures: each role's main list page and API list, each with its baseline query.

A target names the portal URL (by URL name; a target whose URL is not on this branch yet is reported
as skipped), the bench user who reads it, a filtered variant, how to change its page size, and one
hand-written SQL statement that answers the same page. The baseline views in bench/baseline.py run
that statement and nothing else.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

# The bench users the seed creates, by role.
USERS = {
    "lead": "bench.lead00000",
    "commerce": "bench.commerce",
    "exim": "bench.exim",
    "admin": "bench.admin",
}


@contextmanager
def api_page_size(size: int) -> Iterator[None]:
    """DRF's paginator copies PAGE_SIZE into a class attribute at import; set that attribute."""
    from unittest import mock

    from rest_framework.pagination import PageNumberPagination

    with mock.patch.object(PageNumberPagination, "page_size", size):
        yield


def query_page_size(param: str) -> Callable[[int], AbstractContextManager[dict[str, Any]]]:
    """For pages that take their size from a query parameter: the context yields the extra params."""

    @contextmanager
    def set_size(size: int) -> Iterator[dict[str, Any]]:
        yield {param: size}

    return set_size


@dataclass(frozen=True)
class Page:
    """One page of a baseline answer: the rows (as tuples) and the total the pager shows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int


@dataclass(frozen=True)
class ListTarget:
    key: str
    label: str
    role: str
    url_name: str
    kind: str  # "web" or "api"
    # Builds (sql, params) for: the user, filters (the query dict), limit, offset.
    sql: Callable[[Any, dict[str, Any], int, int], tuple[str, list[Any]]]
    filtered: dict[str, Any] = field(default_factory=dict)
    page_size: int = 25
    url_kwargs: dict[str, Any] = field(default_factory=dict)
    # A context manager that sets the portal's page size; yields extra query params (or None).
    set_page_size: Callable[[int], AbstractContextManager[Any]] = api_page_size

    def baseline_page(
        self, *, user: Any, filters: dict[str, Any], page: int, size: int | None = None
    ) -> Page:
        size = size or self.page_size
        sql, params = self.sql(user, filters, size, (page - 1) * size)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c.name for c in cursor.description]
            rows = cursor.fetchall()
        total = rows[0][columns.index("total")] if rows else 0
        return Page(columns, rows, total)


# --- Visibility, as the portal's selectors define it, in SQL ---------------------------------------


def _visible(user: Any, alias: str = "p") -> tuple[str, list[Any]]:
    """proposals_visible_to(user): consortium users see their consortia's; agency staff submitted ones
    (less those they are recused from: `_recused`).

    `= ANY(ARRAY(subquery))`, not `IN (subquery)`: the user's consortia become one InitPlan value
    and the page walks proposal_recent (the count proposals_proposal_consortium_id) as for the list
    of ids the portal passes; as a semi-join the planner guessed 20 proposals a consortium instead
    of 5,000 and sorted them all (consortium lead: first page 4.5 ms -> 1.0, deep 11.5 -> 4.9)."""
    if user.agency or user.is_superuser:
        return f"{alias}.revision_number > 0", []
    return (
        f"{alias}.consortium_id = ANY(ARRAY(SELECT consortium_id FROM proposals_consortiumuser "
        "WHERE user_id = %s))",
        [user.pk],
    )


def _recused(user: Any, alias: str = "p") -> tuple[str, list[Any]] | None:
    """The conflict-of-interest rule for Commerce and the evaluating agencies (they sit on panels):
    the proposals the user declared a conflict on (core.permissions.is_recused), or None."""
    from proposals.evaluation.workflow import EVALUATOR_AGENCIES

    if user.agency not in EVALUATOR_AGENCIES:
        return None
    return (
        f"{alias}.id IN (SELECT pa.proposal_id FROM proposals_panelmember m JOIN proposals_panel pa "
        "ON pa.id = m.panel_id WHERE m.evaluator_id = %s AND m.has_conflict)",
        [user.pk],
    )


def search_filters(filters: dict[str, Any], column: str = "p.id") -> tuple[list[str], list[Any]]:
    """The search box, ECCN and destination filters, by hand over the search summary (issue 16):
    one semi-join to proposals_proposalsearch, whose GIN indexes answer @> on the ECCN and country
    arrays and @@ on the tsvector; the same SQL the portal's selectors produce is the best there is
    on this design, so the baseline is not a full read of the line items any more. A list narrowed by
    these counts its total as the portal does, exactly only up to the bound (counted_total): the
    ratio compares the same work."""
    conditions, params = _summary_conditions(filters)
    if not conditions:
        return [], []
    return [
        f"{column} IN (SELECT s.proposal_id FROM proposals_proposalsearch s WHERE {' AND '.join(conditions)})"
    ], params


def _summary_conditions(filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """search_filters' conditions on the summary `s` alone."""
    from proposals.search.policy import search_query

    conditions, params = [], []
    if filters.get("eccn"):
        conditions.append("s.eccns @> ARRAY[%s]::varchar(32)[]")
        params.append(filters["eccn"].strip().upper())
    country = filters.get("destination") or filters.get("country")
    if country:
        conditions.append("s.countries @> ARRAY[%s]::varchar(32)[]")
        params.append(country)
    terms = search_query(filters.get("q", "")).tsquery()
    if terms:
        conditions.append("s.document @@ to_tsquery('simple', %s)")
        params.append(terms)
    return conditions, params


# Set by exact_totals(): the baselines count every match (the bench's labels say how many there are).
_exact_totals = False


@contextmanager
def exact_totals() -> Iterator[None]:
    """Baselines that count a searched list's matches exactly, to report how many there are."""
    global _exact_totals
    _exact_totals = True
    try:
        yield
    finally:
        _exact_totals = False


def search_total_limit(filters: dict[str, Any], limit: int, offset: int) -> int | None:
    """The LIMIT of a searched list's total, as the portal counts it (DeferredJoinPaginator's
    `count_exact_up_to`, from proposals.search.policy.search_total_bound): one more than the bound or
    than the rows up to the end of the page; None when no search filter narrows the list (an exact
    count). A baseline counts what the page counts, so the ratio compares the same work."""
    from proposals.search.policy import search_total_bound

    bound = search_total_bound(
        text=filters.get("q", ""),
        eccn=filters.get("eccn", ""),
        country=filters.get("destination") or filters.get("country") or "",
    )
    return None if bound is None or _exact_totals else max(bound, offset + limit) + 1


def counted_total(
    table: str,
    where: list[str],
    params: list[Any],
    filters: dict[str, Any],
    limit: int,
    offset: int,
    key: str,
) -> tuple[str, list[Any]]:
    """`SELECT count(*) AS total` of the list `FROM {table} WHERE {where}` (its conditions but the
    search's, with their `params`) narrowed by the search filters on the proposal id `key`: exact,
    or, for a searched list, its first search_total_limit matches, read as the portal reads them
    (proposals.search.selectors.search_matches): from the summaries' indexes, each summary checked
    against the list by its key in a scalar subquery (a join would let the planner hash the whole list
    before the LIMIT stops it)."""
    bounded = search_total_limit(filters, limit, offset)
    searched, sparams = search_filters(filters, key)
    if bounded is None:
        return f"SELECT count(*) AS total FROM {table} WHERE {' AND '.join(where + searched) or 'TRUE'}", [
            *params,
            *sparams,
        ]
    conditions, cparams = _summary_conditions(filters)
    row = f"SELECT 1 FROM {table} WHERE {' AND '.join([*where, f'{key} = s.proposal_id'])} LIMIT 1"
    sql = f"""SELECT count(*) AS total FROM (
        SELECT 1 FROM proposals_proposalsearch s WHERE {" AND ".join(conditions)} AND ({row}) IS NOT NULL
        LIMIT %s) matches"""
    return sql, [*cparams, *params, bounded]


def _proposal_filters(
    filters: dict[str, Any], alias: str = "p", *, search: bool = True
) -> tuple[str, list[Any]]:
    where, params = [], []
    statuses = filters.get("status")
    statuses = [statuses] if isinstance(statuses, str) else list(statuses or [])
    if len(statuses) == 1:  # `= ANY(array)` is not an equality to the planner: no index condition
        where.append(f"{alias}.status = %s")
        params.append(statuses[0])
    elif statuses:
        where.append(f"{alias}.status = ANY(%s)")
        params.append(statuses)
    searched, sparams = search_filters(filters, f"{alias}.id") if search else ([], [])
    return " AND ".join(where + searched) or "TRUE", params + sparams


def proposals_list_sql(user: Any, filters: dict[str, Any], limit: int, offset: int) -> tuple[str, list[Any]]:
    """The proposals list (API /api/proposals/): the page's ids and total first, then its columns.

    The total is a MATERIALIZED CTE: inlined, the planner put it inside the nested loop over the page
    and counted once per row (the lead's in-review proposals to AE: 25 counts, 230 ms). A recused
    agency user's total is the submitted proposals' count less the recused ones among them: a NOT IN
    or NOT EXISTS in the count keeps it off the narrow proposal_status_revision index (6 ms -> 26
    for the Commerce reviewer's 73,000), while the page's LIMIT scan filters its few rows for free.
    A searched list's total is bounded (counted_total): it then counts the visible rows themselves.
    """
    visible, vparams = _visible(user)
    where, fparams = _proposal_filters(filters)
    base = f"FROM proposals_proposal p WHERE {visible} AND {where}"
    page_where, page_params = "", []
    total, tparams = f"SELECT count(*) AS total {base}", [*vparams, *fparams]
    recused = _recused(user)
    if recused:
        page_where, page_params = f" AND NOT {recused[0]}", recused[1]
        total = f"SELECT ({total}) - (SELECT count(*) {base} AND {recused[0]}) AS total"
        tparams = [*tparams, *vparams, *fparams, *recused[1]]
    if search_total_limit(filters, limit, offset) is not None:
        unsearched, uparams = _proposal_filters(filters, search=False)
        where_all = [visible, unsearched, *([f"NOT {recused[0]}"] if recused else [])]
        params_all = [*vparams, *uparams, *(recused[1] if recused else [])]
        total, tparams = counted_total(
            "proposals_proposal p", where_all, params_all, filters, limit, offset, "p.id"
        )
    sql = f"""
        WITH page AS (
            SELECT p.id, p.updated_at
            {base}{page_where}
            ORDER BY p.updated_at DESC, p.id DESC
            LIMIT %s OFFSET %s
        ), counted AS MATERIALIZED (
            {total}
        )
        SELECT p.id, p.title, c.id AS consortium_id, c.name AS consortium_name, p.status, p.status_changed_at,
               p.revision_number, p.financing_amount, p.created_at, p.updated_at,
               (SELECT count(*) FROM proposals_lineitem li WHERE li.proposal_id = p.id) AS item_count,
               ARRAY(SELECT t.country_id FROM proposals_proposal_target_countries t
                     WHERE t.proposal_id = p.id ORDER BY t.country_id) AS target_countries,
               counted.total
        FROM page JOIN proposals_proposal p ON p.id = page.id
        JOIN proposals_consortium c ON c.id = p.consortium_id
        CROSS JOIN counted
        ORDER BY page.updated_at DESC, page.id DESC
    """
    return sql, [*vparams, *fparams, *page_params, limit, offset, *tparams]


def _open_requests_sql(user: Any) -> tuple[str, list[Any]]:
    """The consortium's open requests on returned proposals, soonest due first (the dashboard shows
    ten): a JSON column."""
    visible, vparams = _visible(user, alias="q")
    sql = f"""(SELECT json_agg(r) FROM (
        SELECT ir.id, ir.proposal_id, q.title, ir.question, ir.due_date, u.agency
        FROM proposals_informationrequest ir JOIN proposals_proposal q ON q.id = ir.proposal_id
        LEFT JOIN accounts_user u ON u.id = ir.asked_by_id
        WHERE ir.answered_at IS NULL AND q.status = 'returned' AND {visible}
        ORDER BY ir.due_date, ir.id LIMIT 10) r)"""
    return sql, vparams


def dashboard_sql(user: Any, filters: dict[str, Any], limit: int, offset: int) -> tuple[str, list[Any]]:
    """The consortium dashboard: the proposals page, the counts by status and the open requests for
    information, in one statement."""
    sql, params = proposals_list_sql(user, filters, limit, offset)
    visible, vparams = _visible(user, alias="q")
    counts = f"""(SELECT json_object_agg(status, n) FROM (
        SELECT q.status, count(*) AS n FROM proposals_proposal q WHERE {visible} GROUP BY q.status) s)"""
    requests, rparams = _open_requests_sql(user)
    sql = sql.replace(
        "counted.total\n", f"counted.total, {counts} AS status_counts, {requests} AS open_requests\n", 1
    )
    return sql, [*params, *vparams, *rparams]


def _waiting_on_commerce(reviewer: str) -> str:
    """Proposals in review with an open gate or an unresolved hit, by their review's reviewer."""
    return f"""FROM proposals_proposal q JOIN proposals_commercereview r ON r.proposal_id = q.id
        WHERE q.status = 'in_review' AND r.reviewer_id {reviewer}
          AND (EXISTS (SELECT 1 FROM proposals_licensegate g WHERE g.proposal_id = q.id AND g.status = 'open')
               OR EXISTS (SELECT 1 FROM proposals_screeninghit h WHERE h.proposal_id = q.id
                          AND h.status = 'unresolved'))"""


def _action_required_sql(user: Any) -> tuple[str, list[Any]]:
    """An agency user's "Action required" panel (notify.selectors.action_required_for), by hand: for a
    Commerce reviewer the first ten waiting proposals assigned to them and to nobody, each with its
    open gates and unresolved hits, and how many (counted to 101, as the page does); for an evaluator
    the panels awaiting their declaration or scores. JSON columns, as the dashboard's counts are."""
    columns, params = [], []
    if user.agency == "commerce":
        for name, reviewer, rparams in (("mine", "= %s", [user.pk]), ("unassigned", "IS NULL", [])):
            waiting = _waiting_on_commerce(reviewer)
            columns.append(f"""(SELECT json_agg(w) FROM (
                SELECT q.id, q.title, c.name AS consortium, r.clock_days,
                   (SELECT count(*) FROM proposals_licensegate g WHERE g.proposal_id = q.id
                    AND g.status = 'open') AS open_gates,
                   (SELECT count(*) FROM proposals_screeninghit h WHERE h.proposal_id = q.id
                    AND h.status = 'unresolved') AS unresolved_hits
                {waiting.replace("WHERE", "JOIN proposals_consortium c ON c.id = q.consortium_id WHERE", 1)}
                ORDER BY r.priority DESC, r.clock_days DESC, q.id LIMIT 10) w) AS {name},
                (SELECT count(*) FROM (SELECT 1 {waiting} LIMIT 101) n) AS {name}_count""")
            params += [*rparams, *rparams]
    columns.append("""(SELECT json_agg(m) FROM (
        SELECT s.id, s.panel_id, pa.status, pa.stage_entered_at, q.title
        FROM proposals_panelmember s JOIN proposals_panel pa ON pa.id = s.panel_id
        JOIN proposals_proposal q ON q.id = pa.proposal_id
        WHERE s.evaluator_id = %s AND ((s.declared_at IS NULL AND pa.status = 'conflicts')
              OR (s.has_conflict = false AND s.submitted_at IS NULL AND pa.status = 'scoring'))
        ORDER BY pa.stage_entered_at, s.id LIMIT 10) m) AS panels""")
    params.append(user.pk)
    return ", ".join(columns), params


def agency_home_sql(user: Any, filters: dict[str, Any], limit: int, offset: int) -> tuple[str, list[Any]]:
    """Agency staff's home page: the submitted proposals' page and the "Action required" panel."""
    sql, params = proposals_list_sql(user, filters, limit, offset)
    action, aparams = _action_required_sql(user)
    sql = sql.replace("counted.total\n", f"counted.total, {action}\n", 1)
    return sql, [*params, *aparams]


def deals_list_sql(user: Any, filters: dict[str, Any], limit: int, offset: int) -> tuple[str, list[Any]]:
    """The EXIM pipeline (web and API): deals in stage order, then time in stage, with their rows' joins."""
    from proposals.core.enums import DEAL_COMMITTED_STAGES, DEAL_END_STAGES, DEAL_PIPELINE_STAGES

    groups = {"pipeline": DEAL_PIPELINE_STAGES, "committed": DEAL_COMMITTED_STAGES, "closed": DEAL_END_STAGES}
    where, params = ["TRUE"], []
    if filters.get("group") in groups:
        where.append("d.stage = ANY(%s)")
        params.append([str(s) for s in groups[filters["group"]]])
    if filters.get("product"):
        where.append("d.product = %s")
        params.append(filters["product"])
    if filters.get("region"):
        where.append("d.destination_id IN (SELECT code FROM proposals_country WHERE region = %s)")
        params.append(filters["region"])
    total, tparams = counted_total("proposals_deal d", where, params, filters, limit, offset, "d.proposal_id")
    searched, sparams = search_filters(filters, "d.proposal_id")
    where = where + searched
    params = params + sparams
    # Priority packages first, then the stored stage order (Deal.stage_order), as the portal sorts,
    # on its index deal_pipeline_order: the fastest hand-written equivalent on this schema (an
    # array_position() sort would read every deal; without the priority the index serves no order).
    sql = f"""
        WITH page AS (
            SELECT d.id, d.priority, d.stage_order, d.stage_entered_at
            FROM proposals_deal d
            WHERE {" AND ".join(where)}
            ORDER BY d.priority DESC, d.stage_order, d.stage_entered_at, d.id
            LIMIT %s OFFSET %s
        ), counted AS MATERIALIZED (
            {total}
        )
        SELECT d.id, d.proposal_id, p.title, c.name AS consortium, d.stage, d.stage_entered_at, co.name AS
               destination, co.region, d.product, d.amount, d.terms ->> 'financed_amount' AS financed_max,
               d.tenor_years, d.terms ->> 'term_class' AS term_class, counted.total
        FROM page JOIN proposals_deal d ON d.id = page.id CROSS JOIN counted
        JOIN proposals_proposal p ON p.id = d.proposal_id
        JOIN proposals_consortium c ON c.id = p.consortium_id
        LEFT JOIN proposals_country co ON co.code = d.destination_id
        ORDER BY page.priority DESC, page.stage_order, page.stage_entered_at, page.id
    """
    return sql, [*params, limit, offset, *tparams]


def commerce_queue_sql(user: Any, filters: dict[str, Any], limit: int, offset: int) -> tuple[str, list[Any]]:
    """The Commerce queue (web and API): proposals awaiting Commerce, oldest clock first, with each
    row's open gates, blocking gates, unresolved hits, open RFIs, destinations and ECCNs (the line
    items' ECCNs as the search summary holds them, read with the row as the portal does).

    Every submitted proposal has its Commerce review, so the page is read through the index
    commerce_review_clock (INNER join) and the total counted on proposals alone, as the portal does.
    The total is a MATERIALIZED CTE (see proposals_list_sql): inlined, a deep page counted it once
    per row (25 counts, 200 ms for page 1805). A searched queue's total is bounded (counted_total);
    a queue narrowed only by state reads its total from the counts the database keeps per state
    (proposals_proposaltally, migration 0033), as the portal does.
    """
    from proposals.commerce.selectors import QUEUE_STATUSES
    from proposals.core.enums import BLOCKING_GATE_STATUSES

    statuses = filters.get("status") or [str(s) for s in QUEUE_STATUSES]
    statuses = [statuses] if isinstance(statuses, str) else statuses
    where, params = ["p.revision_number <> 0", "p.status = ANY(%s)"], [list(statuses)]
    searched, sparams = search_filters(filters)
    if searched:
        total, tparams = counted_total("proposals_proposal p", where, params, filters, limit, offset, "p.id")
    else:
        total = (
            "SELECT COALESCE(sum(t.proposals), 0) AS total FROM proposals_proposaltally t "
            "WHERE t.submitted AND t.status = ANY(%s)"
        )
        tparams = [list(statuses)]
    where = where + searched
    params = params + sparams
    sql = f"""
        WITH page AS (
            SELECT p.id, r.priority, r.clock_days
            FROM proposals_proposal p JOIN proposals_commercereview r ON r.proposal_id = p.id
            WHERE {" AND ".join(where)}
            ORDER BY r.priority DESC, r.clock_days DESC, p.id
            LIMIT %s OFFSET %s
        ), counted AS MATERIALIZED (
            {total}
        )
        SELECT p.id, p.title, c.name AS consortium, p.status, r.clock_days, r.clock_flag, r.clock_next_mark,
               r.clock_days_to_mark, u.username AS reviewer,
               (SELECT count(*) FROM proposals_licensegate g WHERE g.proposal_id = p.id AND g.status = 'open')
                   AS open_gates,
               (SELECT count(*) FROM proposals_licensegate g WHERE g.proposal_id = p.id
                   AND g.status = ANY(%s)) AS blocking_gates,
               (SELECT count(*) FROM proposals_screeninghit h WHERE h.proposal_id = p.id
                   AND h.status = 'unresolved') AS unresolved_hits,
               (SELECT count(*) FROM proposals_informationrequest q WHERE q.proposal_id = p.id
                   AND q.answered_at IS NULL) AS open_rfis,
               ARRAY(SELECT DISTINCT s.country_id FROM proposals_site s WHERE s.proposal_id = p.id ORDER BY 1)
                   AS destinations,
               sm.item_eccns AS eccns,
               counted.total
        FROM page JOIN proposals_proposal p ON p.id = page.id CROSS JOIN counted
        JOIN proposals_consortium c ON c.id = p.consortium_id
        LEFT JOIN proposals_proposalsearch sm ON sm.proposal_id = p.id
        LEFT JOIN proposals_commercereview r ON r.proposal_id = p.id
        LEFT JOIN accounts_user u ON u.id = r.reviewer_id
        ORDER BY page.priority DESC, page.clock_days DESC, page.id
    """
    return sql, [*params, limit, offset, *tparams, [str(s) for s in BLOCKING_GATE_STATUSES]]


@contextmanager
def module_page_size(module: str, size: int) -> Iterator[None]:
    """For web views whose page size is a module constant (PAGE_SIZE)."""
    import importlib
    from unittest import mock

    with mock.patch.object(importlib.import_module(module), "PAGE_SIZE", size):
        yield


def web_page_size(module: str) -> Callable[[int], AbstractContextManager[None]]:
    return lambda size: module_page_size(module, size)


TARGETS: list[ListTarget] = [
    ListTarget(
        key="web-commerce-queue",
        label="Web Commerce queue, Commerce reviewer",
        role="commerce",
        url_name="commerce-queue",
        kind="web",
        sql=commerce_queue_sql,
        filtered={"status": "in_review", "eccn": "3A090"},
        set_page_size=web_page_size("proposals.commerce.web"),
    ),
    ListTarget(
        key="api-commerce-queue",
        label="API Commerce queue, Commerce reviewer",
        role="commerce",
        url_name="api-commerce-queue",
        kind="api",
        sql=commerce_queue_sql,
        filtered={"status": "in_review", "eccn": "3A090"},
    ),
    ListTarget(
        key="web-dashboard-lead",
        label="Web dashboard, consortium lead",
        role="lead",
        url_name="home",
        kind="web",
        sql=dashboard_sql,
        set_page_size=web_page_size("proposals.intake.web.dashboard"),
    ),
    ListTarget(
        key="web-dashboard-commerce",
        label="Web submitted list, Commerce reviewer",
        role="commerce",
        url_name="home",
        kind="web",
        sql=agency_home_sql,
        set_page_size=web_page_size("proposals.intake.web.dashboard"),
    ),
    ListTarget(
        key="web-exim-pipeline",
        label="Web EXIM pipeline, EXIM officer",
        role="exim",
        url_name="exim-pipeline",
        kind="web",
        sql=deals_list_sql,
        filtered={"group": "pipeline", "product": "direct_loan"},
        page_size=50,
        set_page_size=web_page_size("proposals.exim.web"),
    ),
    ListTarget(
        key="api-exim-deals",
        label="API EXIM deals, EXIM officer",
        role="exim",
        url_name="api-exim-deals",
        kind="api",
        sql=deals_list_sql,
        filtered={"group": "pipeline", "product": "direct_loan"},
    ),
    ListTarget(
        key="api-proposals-lead",
        label="API proposals, consortium lead",
        role="lead",
        url_name="api-proposal-list",
        kind="api",
        sql=proposals_list_sql,
        filtered={"status": "in_review", "country": "AE"},
    ),
    ListTarget(
        key="api-proposals-commerce",
        label="API proposals, Commerce reviewer",
        role="commerce",
        url_name="api-proposal-list",
        kind="api",
        sql=proposals_list_sql,
        filtered={"status": "in_review", "country": "AE"},
    ),
    ListTarget(
        key="api-proposals-exim",
        label="API proposals, EXIM officer",
        role="exim",
        url_name="api-proposal-list",
        kind="api",
        sql=proposals_list_sql,
        filtered={"status": "approved"},
    ),
]

BY_KEY = {t.key: t for t in TARGETS}
