"""Bulk writes for the bench seed: PostgreSQL COPY into a model's table, defaults filled from the model.

The seed names the columns it cares about; every other concrete column gets its model default, so a
field another branch adds (with a default, or nullable) does not break the seed.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb


class MissingSeedValue(Exception):
    """A NOT NULL column without a default that the seed does not fill."""


def _constant(field: models.Field) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif isinstance(field, models.CharField | models.TextField) and field.blank:
        value = ""
    else:
        raise MissingSeedValue(f"{field.model.__name__}.{field.name} needs a value in bench/scale_seed.py")
    if isinstance(field, models.JSONField) and value is not None:
        return Jsonb(value)
    return value


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` (tuples in `columns` order, by attname) into `model`'s table; returns the count."""
    given = list(columns)
    extra_fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in given
        and not (f.primary_key and isinstance(f, models.AutoField))
        and not f.generated  # computed by the database (Deal.stage_order); COPY may not name it
    ]
    extra = tuple(_constant(f) for f in extra_fields)
    names = ", ".join(connection.ops.quote_name(c) for c in [*given, *(f.column for f in extra_fields)])
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *extra) if extra else row)
            count += 1
    return count


def copy_m2m(through: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY into an auto-created many-to-many table (no defaults to fill)."""
    return copy_rows(through, columns, rows)


def reset_sequence(model: type[models.Model]) -> None:
    """Move the id sequence past the ids the seed chose itself."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f"COALESCE((SELECT MAX({pk}) FROM {table}), 0) + 1, false)",
            [table, pk],
        )


def next_id(model: type[models.Model]) -> int:
    agg = model.objects.aggregate(m=models.Max("pk"))["m"]
    return (agg or 0) + 1
