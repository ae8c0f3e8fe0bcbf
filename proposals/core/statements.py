"""A queryset compiled once a process and run with new keys: for list rows read by their keys, and
for a worker's read of the row it works on.

A list page reads its rows by the keys of the page (pagination.DeferredJoinPaginator). Those rows
are the same shape on every request: only the keys change. Building such a queryset (annotations,
joins) and compiling it costs milliseconds of CPU a request, more than PostgreSQL takes to answer
it (the Commerce queue: 5.7 ms of the page's 13 ms of SQL, issue 16). A `KeyedStatement` builds and
compiles it once a process and database alias, with the keys as ONE parameter, and then only runs
it: `column = ANY(%s)` on PostgreSQL, `column IN (SELECT value FROM json_each(%s))` on SQLite (the
embedded `make run`). The values are converted as the ORM converts them (dates on SQLite, say).

Its limits, by design:
- only the keys vary. Whatever else the statement holds (filters, parameters, the time, the user)
  is frozen the first time it is compiled, so nothing that varies by request may be in it: narrow
  the keys instead (recusal, filters and order belong to the query that picks the keys);
- the keys are integers (primary or foreign keys), and the statement's rows come in no order: the
  caller orders them by its keys;
- `rows()` needs a values_list() (plain tuples, the columns in the order given); `instances()` a
  queryset of model instances, built as the ORM builds them (select_related rows included; no
  prefetch, no known related objects). A locking statement (select_for_update) runs only inside
  a transaction, as the ORM's does.

Automated intake reads its proposal and revision under a lock this way: building and compiling that
queryset through the ORM was about a millisecond of CPU for every proposal (issue 16).

On PostgreSQL a keyed statement is also a prepared statement (decision 0012): planned once a
connection, not on every run.
"""

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import F, Lookup, Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.transaction import TransactionManagementError


class _Keys:
    """Stands for the keys among the compiled statement's parameters until a run supplies them."""

    def __repr__(self) -> str:
        return "<the keys>"


class _KeysParameter(Lookup):
    """`column` among the keys given as one parameter (never registered on a field: only
    KeyedStatement puts it in a query, as a condition of its own)."""

    lookup_name = "keys_parameter"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.rhs]
        if connection.vendor == "sqlite":
            return f"{column} IN (SELECT value FROM json_each(%s))", [*params, self.rhs]
        raise NotSupportedError(f"KeyedStatement has no form for {connection.vendor}")


class _KeyParameter(Lookup):
    """`column` equal to the one key (a statement for one key at a time: PostgreSQL carries an
    equality across the joins, so the planner reads each joined table by its key)."""

    lookup_name = "key_parameter"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.lhs)
        return f"{column} = %s", [*params, self.rhs]


def _keys_value(vendor: str, keys: Sequence[int], *, one: bool = False) -> Any:
    """The keys as the one parameter each database reads them: an array, or a JSON list (or the
    one key itself, for a statement of one key).

    On PostgreSQL always as bigint: psycopg sends an integer as the smallest type that holds it, and a
    prepared statement is kept by its parameters' types, so keys below and above 32,767 would have
    prepared (and planned) the same statement twice or three times on a connection."""
    if one and len(keys) != 1:
        raise ValueError(f"this statement reads one key at a time, given {len(keys)}")
    if vendor != "postgresql":
        return int(keys[0]) if one else json.dumps([int(key) for key in keys])
    from psycopg.types.numeric import Int8  # noqa: PLC0415 (PostgreSQL's driver, not needed on SQLite)

    return Int8(int(keys[0])) if one else [Int8(int(key)) for key in keys]


class _Compiled:
    """One alias's SQL, the place of the keys among its parameters, and the columns' converters."""

    def __init__(self, queryset: QuerySet[Any], alias: str) -> None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places = [i for i, param in enumerate(params) if isinstance(param, _Keys)]
        if len(places) != 1:  # fail closed: a statement that would not be narrowed to the keys
            raise ValueError(f"the keys must be one parameter of the statement, found {len(places)}")
        self.sql = sql
        self.params = list(params)
        self.place = places[0]
        self.width = compiler.col_count
        fields = [select[0] for select in compiler.select[: self.width]]
        self.converters = list(compiler.get_converters(fields).items())
        self.locks = bool(queryset.query.select_for_update)
        # How ModelIterable makes instances of a row (for instances(): a queryset of model instances).
        klass_info = compiler.klass_info
        if queryset._iterable_class is ModelIterable:
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model = klass_info["model"]
            self.model_columns = (start, end)
            self.init_list = [select[0].target.attname for select in compiler.select[start:end]]
            self.related_populators = get_related_populators(klass_info, compiler.select, alias)
            self.annotation_col_map = dict(compiler.annotation_col_map or {})
        else:
            self.model = None


def statement_rows(connection: Any, sql: str, params: list[Any], *, prepare: bool) -> list[tuple[Any, ...]]:
    """A statement's rows, on Django's cursor of `connection` (execute wrappers, error translation);
    with `prepare`, run as a prepared statement (decision 0012): planned once a connection, and
    PostgreSQL may keep a generic plan, which for rows read by their keys is the right one whatever
    the keys. Only where `prepares_keyed_statements(connection)`.

    Django's cursors bind parameters on the client, which cannot prepare: a prepared statement runs
    on Django's cursor that binds on the server (preparing what it runs), on the same connection."""
    if not prepare:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.make_cursor(_preparing_cursor()(connection.connection)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _preparing_cursor() -> type:
    """Django's PostgreSQL cursor that binds on the server, preparing every statement it runs (made
    once, on first use: the driver is not imported where only SQLite runs)."""
    from django.db.backends.postgresql.base import ServerBindingCursor  # noqa: PLC0415 (PostgreSQL only)

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, **{**kwargs, "prepare": True})

    return PreparingCursor


def prepares_keyed_statements(connection: Any) -> bool:
    """Whether keyed statements run prepared on this connection: PostgreSQL, with preparing allowed
    (`prepare_threshold` set: psycopg's None refuses it), a connection kept between requests (closed
    after each, it would prepare the statement, at the cost of one more round trip, for no later run
    to use), and Django not logging queries (DEBUG, a test counting them): a prepared statement's
    text is not what Django's query log reads, so there they run as any statement does."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
        and connection.settings_dict["CONN_MAX_AGE"] != 0
        and not connection.queries_logged
    )


class KeyedStatement:
    """A queryset narrowed to a set of keys, compiled once per process and alias.

    `build` returns the queryset (called once per alias, lazily: no query at import); `key` is the
    column the keys are matched against (`pk`, or a foreign key such as `proposal_id`).
    `rows(keys)` answers the same tuples as `build().filter(<key>__in=keys)` would (a values_list()),
    `instances(keys)` the same model instances (a model queryset); both in no order unless `order_by`
    names one (the model's default ordering is never applied). With `one`, the statement reads one
    key at a time (`column = %s`: PostgreSQL then finds the joined rows by that key too, whatever its
    statistics say) and is given a list of exactly one key.
    """

    def __init__(
        self,
        build: Callable[[], QuerySet[Any]],
        *,
        key: str = "pk",
        one: bool = False,
        order_by: tuple[str, ...] = (),
    ) -> None:
        self.build = build
        self.key = key
        self.one = one
        self.order_by = order_by
        self._compiled: dict[str, _Compiled] = {}

    def queryset(self) -> QuerySet[Any]:
        """The statement's queryset with the keys' condition (its keys not yet given)."""
        condition = (_KeyParameter if self.one else _KeysParameter)(F(self.key), _Keys())
        return self.build().order_by(*self.order_by).filter(condition)

    def compiled(self, alias: str = "default") -> _Compiled:
        """The statement for `alias`, compiled on first use (a race only compiles it twice)."""
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = _Compiled(self.queryset(), alias)
        return compiled

    def rows(self, keys: Sequence[int], *, using: str = "default") -> list[tuple[Any, ...]]:
        """The statement's rows for `keys` (none for no keys, without a query)."""
        if not keys:
            return []
        return self._run(self.compiled(using), keys, using)

    def instances(self, keys: Sequence[int], *, using: str = "default") -> list[Model]:
        """The model instances for `keys`, in no order, as iterating `build().filter(<key>__in=keys)`
        gives them (none for no keys, without a query)."""
        if not keys:
            return []
        compiled = self.compiled(using)
        if compiled.model is None:
            raise TypeError("instances() needs a queryset of model instances, not values_list()")
        fetched = self._run(compiled, keys, using)
        (start, end), init_list, model = compiled.model_columns, compiled.init_list, compiled.model
        out = []
        for row in fetched:
            instance = model.from_db(using, init_list, row[start:end])
            for populator in compiled.related_populators:
                populator.populate(row, instance)
            for name, place in compiled.annotation_col_map.items():
                setattr(instance, name, row[place])
            out.append(instance)
        return out

    def instances_in_order(self, keys: Sequence[int], *, using: str = "default") -> list[Model]:
        """`instances(keys)` in the order of `keys`, a key without a row left out: a page's rows by
        the page's sorted keys (pagination.DeferredJoinPaginator's `keyed_rows`)."""
        by_key = {instance.pk: instance for instance in self.instances(keys, using=using)}
        return [by_key[key] for key in keys if key in by_key]

    def _run(self, compiled: _Compiled, keys: Sequence[int], using: str) -> list[tuple[Any, ...]]:
        connection = connections[using]
        # The ORM refuses to compile a locking read outside a transaction; compiled once, it is refused here.
        if compiled.locks and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        params[compiled.place] = _keys_value(connection.vendor, keys, one=self.one)
        prepare = prepares_keyed_statements(connection)
        fetched = statement_rows(connection, compiled.sql, params, prepare=prepare)
        width, converters = compiled.width, compiled.converters
        if not converters:
            return [tuple(row[:width]) for row in fetched]
        out = []
        for fetched_row in fetched:
            row = list(fetched_row[:width])
            for place, (functions, expression) in converters:
                value = row[place]
                for function in functions:
                    value = function(value, expression, connection)
                row[place] = value
            out.append(tuple(row))
        return out
