"""A per-session cache for busy list pages, invalidated whenever the data they show changes.

The Commerce queue is the page every reviewer reloads all day; at program scale it costs tens of
milliseconds of queries and rendering while the data behind it changes a few times a minute. A
page is cached under its *generation*: a token in the cache that every write to the models the
page reads replaces (`bump`, wired to model signals in `proposals.core.signals`), so the next request
after any change renders afresh. The timeout only bounds what no signal reports (a renamed user).

Cached per browser session and CSRF cookie, because the page carries the user's name and CSRF
tokens in its forms; never cached when a flash message is waiting, for non-GET requests, or when
EXPORTAI_PAGE_CACHE_SECONDS is 0.
"""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

COMMERCE_QUEUE = "commerce-queue"


def _generation_key(name: str) -> str:
    return f"page-generation:{name}"


def generation(name: str) -> str:
    """The current generation token of the pages called `name` (made on first use)."""
    key = _generation_key(name)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key) or ""
    return token


def bump(name: str) -> None:
    """Invalidate every cached page called `name` once the current transaction commits.

    On commit, not before: a page another request renders meanwhile still reads the old rows, and
    must not be cached under the new token. One cache write per transaction however many rows change
    (a worker's intake pays one, not one per saved row); outside a transaction, at once.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        open_savepoints = set(connection.savepoint_ids)
        # Already registered in this same block: it runs (or is rolled back) together with ours.
        if any(
            getattr(func, "page_cache_name", None) == name and sids == open_savepoints
            for sids, func, *_ in connection.run_on_commit
        ):
            return

    def replace() -> None:
        cache.set(_generation_key(name), uuid.uuid4().hex, timeout=None)

    replace.page_cache_name = name  # type: ignore[attr-defined]
    transaction.on_commit(replace)


def _page_key(request: HttpRequest, name: str) -> str | None:
    if request.method != "GET" or not settings.EXPORTAI_PAGE_CACHE_SECONDS:
        return None
    session_key = request.session.session_key
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not session_key or not csrf_cookie or len(messages.get_messages(request)):
        return None
    who = "\n".join(
        [session_key, csrf_cookie, request.get_full_path(), request.headers.get("HX-Request", "")]
    )
    return f"page:{name}:{hashlib.sha256(who.encode()).hexdigest()}"


def cached_page(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's successful GET responses from the cache until generation `name` changes.

    A cached page is stored with the generation it was rendered under, and the page and the current
    generation are read in one round trip to the cache.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = _page_key(request, name)
            if key is None:
                return view(request, *args, **kwargs)
            found = cache.get_many([_generation_key(name), key])
            current = found.get(_generation_key(name)) or generation(name)
            stored = found.get(key)
            if stored is not None and stored[0] == current:
                return HttpResponse(stored[1])
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, (current, response.content), timeout=settings.EXPORTAI_PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator
