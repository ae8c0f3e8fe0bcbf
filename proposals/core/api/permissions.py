"""The API's one permission class: the view names the django-rules permission it needs."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class RulePermission(BasePermission):
    """Refuses unless the signed-in user holds `view.required_perm` (no object: a workspace or a list).

    Per-object checks happen where the object is read, through the area's `access_<object>` function.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        self.message = getattr(view, "refusal", "") or "Your role may not do this."
        return bool(request.user and request.user.has_perm(view.required_perm))
