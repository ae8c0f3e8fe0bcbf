"""Rewrite every proposal's search summary (after a bulk load, a restore, or a change of what it holds)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from proposals.search.services import search_rebuild


class Command(BaseCommand):
    help = "Rewrite the search summary of every proposal (one INSERT .. SELECT on PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = search_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Rewrote {count} search summaries in {time.monotonic() - started:.1f} s.")
        )
