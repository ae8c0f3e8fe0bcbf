"""The paths of routes that take no arguments, reversed once a process.

`reverse()` walks the URLconf's patterns on every call, about 30 µs here, and the layout and its
navigation reverse about a dozen names on every page (issue 16). A route without arguments reverses
to the same path for as long as the URLconf and the script prefix are the same, so its path is kept,
keyed by both: a request with its own URLconf, a test that overrides ROOT_URLCONF, or a deployment
under a prefix each get their own.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def named_path(name: str) -> str:
    """`reverse(name)` for a route without arguments (`app:name` included), kept per process."""
    return _kept_path(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=512)
def _kept_path(name: str, urlconf: object, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)
