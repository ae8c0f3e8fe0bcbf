"""Optimistic concurrency on the pages: a form carries the version it was opened at, and a stale save
comes back with what changed (core.services.concurrency decides; this only carries and shows).

A form gets the hidden `version` field from `carry_version` (the portal's form classes call it for
any saved `Versioned` instance, or when given `version=`); the view passes `opened_version(form)` to
the service. `run_service` turns the service's StaleVersion into `show_stale`: the form again, with
the user's values kept, a table of the differences (yours beside the saved value), and the saved
version in the hidden field, so that saving again keeps the user's values on purpose.
"""

from typing import Any

from django import forms
from django.http import HttpRequest

from proposals.core.errors import StaleVersion

VERSION_FIELD = "version"


def carry_version(form: forms.BaseForm, version: int | None) -> None:
    """Give the form its hidden version field, holding `version` when the form is shown unbound."""
    form.fields[VERSION_FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, label="Version"
    )
    if version is not None:
        form.initial[VERSION_FIELD] = version


def opened_version(form: forms.BaseForm) -> int | None:
    """The version the (valid) form was opened at; None when it carries none (the check is skipped)."""
    return form.cleaned_data.get(VERSION_FIELD) if VERSION_FIELD in form.fields else None


def posted_version(request: HttpRequest) -> int | None:
    """The version a button's form (a removal) posted; a value that is no number matches no version."""
    value = request.POST.get(VERSION_FIELD)
    if value in (None, ""):
        return None
    return int(value) if value.isdecimal() and value.isascii() else 0


def show_stale(form: forms.BaseForm, exc: StaleVersion) -> None:
    """Keep the user's values, list the differences, and offer the saved version for a second save."""
    form.stale: dict[str, Any] = {"changes": exc.extra.get("changes", [])}  # type: ignore[attr-defined]
    form.add_error(None, exc.message)
    if form.is_bound and VERSION_FIELD in form.fields:
        data = form.data.copy()
        data[form.add_prefix(VERSION_FIELD)] = str(exc.extra["version"])
        form.data = data
