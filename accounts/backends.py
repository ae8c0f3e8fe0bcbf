"""The authentication backend that applies login throttling (django-axes) to every HTTP sign-in."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Refuses sign-in for a locked-out username or address; never logs anyone in itself.

    An authenticate() call without a request (the test client's login(), the shell) has no client to
    throttle; axes would raise for it, so it is passed on to the next backend instead. Every HTTP path
    (the sign-in page, the admin, the API token endpoint) passes its request.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
