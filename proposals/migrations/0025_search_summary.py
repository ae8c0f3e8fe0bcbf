"""The search summary of each proposal (GIN-indexed on PostgreSQL), filled for existing proposals; and
saved filters."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import proposals.search.models

# PostgreSQL only (the embedded SQLite filters the JSON text without an index): the ECCN and
# destination filters use @> on the arrays, the search box @@ on the tsvector.
GIN_INDEXES = (
    "CREATE INDEX IF NOT EXISTS proposalsearch_eccns_gin ON proposals_proposalsearch USING gin (eccns)",
    "CREATE INDEX IF NOT EXISTS proposalsearch_countries_gin ON proposals_proposalsearch USING gin (countries)",
    "CREATE INDEX IF NOT EXISTS proposalsearch_document_gin ON proposals_proposalsearch USING gin (document)",
)


def forwards(apps, schema_editor):
    # The rows are written by the service's own rebuild in the latest migration that changes what a
    # summary holds (0030): the service writes the columns of the day, which this one lacks.
    if schema_editor.connection.vendor == "postgresql":
        for sql in GIN_INDEXES:
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    """Dropping the table (the CreateModel's reverse) drops its indexes."""


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0024_inbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProposalSearch",
            fields=[
                (
                    "proposal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_summary",
                        serialize=False,
                        to="proposals.proposal",
                    ),
                ),
                (
                    "eccns",
                    proposals.search.models.CodeListField(
                        base_field=models.CharField(max_length=32), blank=True, default=list, size=None
                    ),
                ),
                (
                    "countries",
                    proposals.search.models.CodeListField(
                        base_field=models.CharField(max_length=32), blank=True, default=list, size=None
                    ),
                ),
                ("text", models.TextField(blank=True)),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("refreshed_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "proposal search summary",
                "verbose_name_plural": "proposal search summaries",
            },
        ),
        migrations.CreateModel(
            name="SavedFilter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "list_name",
                    models.CharField(
                        choices=[
                            ("proposals", "Proposals"),
                            ("commerce_queue", "Commerce review queue"),
                            ("exim_pipeline", "EXIM pipeline"),
                        ],
                        max_length=32,
                        verbose_name="list",
                    ),
                ),
                ("name", models.CharField(max_length=80)),
                ("query", models.CharField(blank=True, max_length=1000)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_filters",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["list_name", "name", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "list_name", "name"), name="saved_filter_name_once"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
