"""What every page needs: the permission decorator, the visible proposal or a 404, and one way to
answer a save.

Views decide nothing here: visibility comes from the selectors, editability and roles from the
drafting service's own check, and refusals are the services' ApplicationErrors turned into messages.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from proposals.core.access import require
from proposals.core.errors import ApplicationError, InvalidInput, StaleVersion
from proposals.core.web.concurrency import show_stale
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.drafting import locked_editable_proposal

# htmx listens for this event to reload the checklist beside the editor.
SAVED_EVENT = "proposal-saved"


def permission_required(perm: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The pages' one permission decorator: sign-in first, then a 403 unless the user holds `perm`
    (a django-rules permission, `proposals.core.permissions`). Per-object checks happen where the
    object is read, through the area's `access_<object>` function."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ensure_editable(request: HttpRequest, proposal: Proposal) -> None:
    """Ask the drafting service whether this user may edit now (raises NotEditable or PermissionDenied)."""
    with transaction.atomic():
        locked_editable_proposal(proposal_id=proposal.pk, actor=request.user)


def apply_service_errors(form: forms.BaseForm, exc: InvalidInput) -> None:
    """Put a service's field errors on the form's fields; the rest at the top of the form."""
    fields = exc.extra.get("fields") or {}
    for name, field_messages in fields.items():
        target = name.removesuffix("_id") if name.removesuffix("_id") in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
    if not fields:
        form.add_error(None, exc.message)


def refused(request: HttpRequest, exc: ApplicationError, url: str) -> HttpResponse:
    """A refusal the user can act on: show its message on the page the user is sent to."""
    messages.error(request, exc.message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def saved(
    request: HttpRequest, *, message: str, url: str, render: Callable[..., HttpResponse]
) -> HttpResponse:
    """After a save: htmx gets the fresh section and an event for the checklist; a plain POST redirects."""
    if request.htmx:
        response = render(saved_message=message)
        trigger_client_event(response, SAVED_EVENT)
        return response
    messages.success(request, message)
    return redirect(url)


def run_service(form: forms.BaseForm, call: Callable[[], Any]) -> bool:
    """Call the service if the form parsed; False (with errors on the form) if either refused.

    A stale save (someone saved the object after the form was opened) comes back as the form with
    the differences (core.web.concurrency.show_stale)."""
    if not form.is_valid():
        return False
    try:
        call()
    except InvalidInput as exc:
        apply_service_errors(form, exc)
        return False
    except StaleVersion as exc:
        show_stale(form, exc)
        return False
    return True
