"""The search summary holds its line items' ECCNs as a list row shows them (the Commerce queue reads
them there), and a covering index of its codes, so a count over many matching proposals reads a
narrow index instead of every wide summary row (issue 16)."""

import importlib

from django.db import migrations, models

import proposals.search.models

# PostgreSQL only: the summary's id with its ECCN keys and destinations, so a filter that matches many
# proposals (3A090 is on most) is an index-only scan of 25 MB instead of 110 MB of rows with their text.
CODES_INDEX = (
    "CREATE INDEX IF NOT EXISTS proposalsearch_codes ON proposals_proposalsearch (proposal_id) "
    "INCLUDE (eccns, countries)"
)


def forwards(apps, schema_editor):
    # Every summary written by the service of the day (one INSERT .. SELECT on PostgreSQL), its GIN
    # indexes dropped meanwhile: building them once after the rows is much cheaper than updating them
    # row by row. The summary is derived data: a later migration that changes what it holds moves
    # this call there (the service then writes columns this migration's schema lacks).
    from proposals.search.services import search_rebuild  # noqa: PLC0415 (a migration runs the service)

    postgres = schema_editor.connection.vendor == "postgresql"
    gin = importlib.import_module("proposals.migrations.0025_search_summary").GIN_INDEXES
    if postgres:
        for name in (
            "proposalsearch_eccns_gin",
            "proposalsearch_countries_gin",
            "proposalsearch_document_gin",
        ):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)
        # Emptied, then written once: rewriting every row in place would leave the table twice its
        # size (each old version dead), and a count over many matches reads all of it.
        schema_editor.execute("TRUNCATE proposals_proposalsearch", params=None)
    else:
        apps.get_model("proposals", "ProposalSearch").objects.all().delete()
    search_rebuild()
    if postgres:
        # The new rows' deferred foreign-key checks, now: PostgreSQL builds no index over pending ones.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE", params=None)
        for sql in (*gin, CODES_INDEX):
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS proposalsearch_codes", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0029_screening_list_delta"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalsearch",
            name="item_eccns",
            field=proposals.search.models.CodeListField(
                base_field=models.CharField(max_length=32),
                blank=True,
                default=list,
                size=None,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
