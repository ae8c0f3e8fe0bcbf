"""On-commit callbacks a test counts: the work a change sends (tasks, emails), not the page cache's
invalidation (proposals.core.page_cache registers one per transaction level whenever a shown row changes)
nor the inbox's cached counts (proposals.notify.services.inbox_count_forget, marked `cache_only`)."""

from collections.abc import Callable, Sequence
from typing import Any


def sends(callbacks: Sequence[Callable[..., Any]]) -> list[Callable[..., Any]]:
    return [
        c
        for c in callbacks
        if getattr(c, "page_cache_name", None) is None and not getattr(c, "cache_only", False)
    ]
