"""Access to one object, the same for the web and the API: visible to the user, then permitted.

Each area names its own `access_<object>` function (`access_proposal` in intake, `access_deal` in
EXIM, ...) on top of `access`, passing the selector that scopes the object to the user and the
django-rules permission it needs (`proposals.core.permissions`). An object the user may not see is a
404, never a 403, so ids reveal nothing; a visible object the user may not act on is a 403, or a 404
where even its existence is not the user's business (`hide_refusal`).
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)


def access(
    user: Any,
    visible: QuerySet[M],
    pk: Any,
    *,
    perm: str = "",
    hide_refusal: bool = False,
    refusal: str = "",
) -> M:
    """The object `pk` among those `visible` to the user, if the user holds `perm` on it."""
    obj = get_object_or_404(visible, pk=pk)
    if perm and not user.has_perm(perm, obj):
        if hide_refusal:
            raise Http404
        raise PermissionDenied(refusal or "Your role may not do this.")
    return obj


def require(user: Any, perm: str, *, refusal: str = "") -> None:
    """A permission that needs no object (a workspace, a dashboard): 403 unless the user holds it."""
    if not user.has_perm(perm):
        raise PermissionDenied(refusal or "Your role may not do this.")
