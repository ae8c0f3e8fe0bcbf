"""Load countries and EAR country groups from data/*.csv (idempotent)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from proposals.core.services.reference import reference_data_load


class Command(BaseCommand):
    help = "Load countries, EAR country groups and default program settings from data files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--data-dir", default=str(Path(settings.BASE_DIR) / "data"))

    def handle(self, *args: Any, **options: Any) -> None:
        data = Path(options["data_dir"])
        groups, countries = reference_data_load(
            groups_csv=data / "country_groups.csv", countries_csv=data / "countries.csv"
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {groups} country groups and {countries} countries."))
