"""Reads of the reference data every area shares."""

import time
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_filters.fields import ChoiceField

from proposals.core.models.reference import Country

# (when read, what was read), by name: kept per process. Countries change when `load_reference_data`
# runs or in the admin, a few times a year; every list page's destination select showed all ~250 of
# them, and the pipeline's region select their regions, read from the database on each request
# (issue 16).
_kept: dict[str, tuple[float, Any]] = {}


def _kept_reference(name: str, read: Callable[[], Any]) -> Any:
    """What `read()` returns, read once per process and kept for EXPORTAI_REFERENCE_CACHE_SECONDS
    (0: read every time); a save or delete of a country in this process forgets it at once."""
    seconds = settings.EXPORTAI_REFERENCE_CACHE_SECONDS
    now = time.monotonic()
    kept = _kept.get(name)
    if kept is None or now - kept[0] >= seconds:
        value = read()
        if not seconds:
            return value
        kept = _kept[name] = (now, value)
    return kept[1]


def country_choices() -> tuple[tuple[str, str], ...]:
    """Every country as (code, name), in the table's order (by name), for selects.

    Kept per process (_kept_reference). The choices only show options: a chosen value is still
    checked against the table (CountryChoiceField), so a stale list can never admit a country that
    is not there."""
    return _kept_reference("countries", lambda: tuple(Country.objects.values_list("code", "name")))


def country_regions() -> tuple[str, ...]:
    """The countries' regions (none empty), sorted by the database, for selects; kept per process
    as the countries are (_kept_reference)."""
    return _kept_reference(
        "regions",
        lambda: tuple(
            Country.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        ),
    )


class RegionChoiceField(ChoiceField):
    """A region select whose options come from `country_regions()` (kept per process); a chosen
    region the kept list lacks is looked up in the table before it is refused, so a region added in
    another process (or by an update that sends no signal) is never refused while the list is kept."""

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(value) or (
            bool(value) and Country.objects.filter(region=str(value)).exists()
        )


@receiver([post_save, post_delete], sender=Country, dispatch_uid="core.country_choices.forget")
def country_choices_forget(**kwargs: Any) -> None:
    _kept.clear()


class CountryChoiceIterator(forms.models.ModelChoiceIterator):
    """The options of a country select from `country_choices()`, read when the select is shown."""

    def __iter__(self) -> Iterator[tuple[str, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from country_choices()

    def __len__(self) -> int:
        return len(country_choices()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(country_choices())


class CountryChoiceField(forms.ModelChoiceField):
    """A country select whose options come from `country_choices()` (no query to show them, while
    kept); the chosen value is looked up in the queryset, as any ModelChoiceField does."""

    iterator = CountryChoiceIterator
