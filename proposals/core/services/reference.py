"""Loading reference data (countries and EAR country groups) from the CSV files in data/."""

import csv
from pathlib import Path

from django.db import transaction

from proposals.core.models.reference import Country, CountryGroup, ProgramSettings

YES = {"yes", "true", "1", "x"}


def reference_data_load(*, groups_csv: Path, countries_csv: Path) -> tuple[int, int]:
    """Upsert groups and countries from CSV; returns (groups, countries). Re-running changes nothing."""
    with transaction.atomic():
        with groups_csv.open(newline="", encoding="utf-8") as fh:
            group_rows = list(csv.DictReader(fh))
        for row in group_rows:
            CountryGroup.objects.update_or_create(
                code=row["code"].strip(), defaults={"name": row["name"].strip()}
            )
        with countries_csv.open(newline="", encoding="utf-8") as fh:
            country_rows = list(csv.DictReader(fh))
        for row in country_rows:
            country, _ = Country.objects.update_or_create(
                code=row["code"].strip().upper(),
                defaults={
                    "name": row["name"].strip(),
                    "region": row["region"].strip(),
                    "oecd_category": row["oecd_category"].strip(),
                    "risk_class": int(row["risk_class"]) if row["risk_class"].strip() else None,
                    "is_country_of_concern": row["country_of_concern"].strip().lower() in YES,
                    "exim_cover_short_term": row["cover_short"].strip().lower() in YES,
                    "exim_cover_medium_term": row["cover_medium"].strip().lower() in YES,
                    "exim_cover_long_term": row["cover_long"].strip().lower() in YES,
                },
            )
            codes = [c.strip() for c in row["groups"].split(";") if c.strip()]
            country.groups.set(codes)
        ProgramSettings.current()
    return len(group_rows), len(country_rows)
