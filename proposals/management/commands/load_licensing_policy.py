"""Load a licensing policy file as a new version; proposals in review are re-evaluated under it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from proposals.commerce.services.licensing import licensing_policy_load
from proposals.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Load ECCN x country-group licensing rules (JSON, see data/licensing_policy.json) as a new version."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(Path(settings.BASE_DIR) / "data" / "licensing_policy.json")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = licensing_policy_load(path=options["path"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded licensing policy version {version.number} ({version.rules.count()} rules); "
                "proposals in review are being re-evaluated."
            )
        )
