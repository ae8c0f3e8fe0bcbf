"""Load ITA's Consolidated Screening List (CSV or JSON, file path or URL) as a new list version."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from proposals.commerce.services.screening import screening_list_load
from proposals.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Load the Consolidated Screening List from a file path or URL (CSV with the 29 columns, or JSON)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="Path or http(s) URL of consolidated.csv or consolidated.json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = screening_list_load(source=options["source"])
        except (ApplicationError, OSError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Loaded screening list version {version.pk}: {version.entry_count} entries.")
        )
