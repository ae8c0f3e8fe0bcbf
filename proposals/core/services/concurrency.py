"""Optimistic concurrency: the one check every edit of a `Versioned` object makes in its write path.

A service locks the row (`select_for_update`), then calls `version_claim` with the version the edit
started from (the web form's hidden field; the API's If-Match or body `version`). A stale edit is
refused with `StaleVersion` (412 in the API, the form again with the differences on a page), and
nothing is written; an accepted one moves the version on by one, saved with the row.
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from proposals.core.errors import StaleVersion
from proposals.core.models.versioned import Versioned
from proposals.core.policy import edit_is_stale

EMPTY = "(empty)"


def _field(sources: Sequence[models.Model], name: str) -> tuple[models.Model, Any] | None:
    """The first source that has a concrete field `name` (or its `_id` attribute); None if none has."""
    for source in sources:
        try:
            field = source._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            continue
        if field.concrete:  # not a reverse relation (a company's owners)
            return source, field
    return None


def _text(value: Any, field: Any) -> str:
    """A value as a person reads it: choice labels, names of related rows, plain numbers."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v, field) for v in value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    choices = dict(getattr(field, "flatchoices", None) or ())
    if not choices and getattr(field, "base_field", None) is not None:
        choices = dict(field.base_field.flatchoices or ())
    return str(choices.get(value, value))


def _comparable(value: Any) -> Any:
    """What two values are compared as: related rows by key, numbers by value, lists as sets."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted((_comparable(v) for v in value), key=str)
    if value is None:
        return ""
    return value


def _saved_and_yours(source: models.Model, field: Any, yours: Any) -> tuple[Any, Any, str, str]:
    if field.many_to_many:
        saved_rows = list(getattr(source, field.name).all())
        wanted = list(yours or [])
        by_key = {
            row.pk: row for row in field.related_model.objects.filter(pk__in=[_comparable(v) for v in wanted])
        }
        your_rows = [by_key.get(_comparable(v), v) for v in wanted]
        return (
            _comparable(saved_rows),
            _comparable(your_rows),
            _text([str(r) for r in saved_rows], field),
            _text([str(r) for r in your_rows], field),
        )
    if field.is_relation:
        key = _comparable(yours)
        saved_key = getattr(source, field.attname)
        your_row = (
            yours if isinstance(yours, models.Model) else field.related_model.objects.filter(pk=key).first()
        )
        saved_row = getattr(source, field.name) if saved_key is not None else None
        return (
            saved_key or "",
            key,
            _text(saved_row and str(saved_row), field),
            _text(your_row and str(your_row), field),
        )
    saved = getattr(source, field.attname)
    try:
        parsed = field.to_python(yours)
    except ValidationError:  # bad input is the validators' to refuse; compare it as given
        parsed = yours
    return _comparable(saved), _comparable(parsed), _text(saved, field), _text(parsed, field)


def version_changes(sources: Sequence[models.Model], data: Mapping[str, Any]) -> list[dict[str, str]]:
    """Field by field, where the edit's values differ from the saved ones: [{field, label, yours, saved}].

    `sources` are the saved rows the edit writes (a member and its company, say), read under the lock;
    keys of `data` that are no field of theirs (a list of owners) are not compared.
    """
    changes = []
    for name, yours in data.items():
        found = _field(sources, name)
        if found is None:
            continue
        source, field = found
        saved_key, your_key, saved_text, your_text = _saved_and_yours(source, field, yours)
        if saved_key != your_key:
            label = str(field.verbose_name)
            changes.append(
                {
                    "field": field.name,
                    "label": label[:1].upper() + label[1:],
                    "yours": your_text,
                    "saved": saved_text,
                }
            )
    return changes


def version_claim(
    instance: Versioned,
    *,
    expected: int | None,
    data: Mapping[str, Any] | None = None,
    also: Iterable[models.Model] = (),
) -> None:
    """Refuse the edit if it started from an older version of `instance`; else move the version on.

    Call it inside the write's transaction with `instance` locked, before anything is written; the
    caller saves `version` with the row. `data` (the edit's values) and the rows in `also` (those the
    same edit writes, a member's company) let the refusal show what differs.
    """
    if edit_is_stale(expected=expected, saved=instance.version):
        noun = instance._meta.verbose_name
        raise StaleVersion(
            f"This {noun} was changed by someone else after you opened it (it is now version "
            f"{instance.version}). Nothing was saved.",
            extra={"version": instance.version, "changes": version_changes([instance, *also], data or {})},
        )
    instance.version += 1
