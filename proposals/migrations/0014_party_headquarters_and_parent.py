"""Parties carry ownership: headquarters country and ultimate parent; existing rows headquartered at their location."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def headquarters_from_location(apps, schema_editor):
    """Parties named before headquarters were asked: headquartered where they are located."""
    Party = apps.get_model("proposals", "Party")
    Party.objects.filter(headquarters_country__isnull=True, country__isnull=False).update(
        headquarters_country=F("country")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0013_settings_validated"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="headquarters_country",
            field=models.ForeignKey(
                blank=True,
                help_text="Where the party is headquartered; the location country if left blank.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="proposals.country",
                verbose_name="headquarters country",
            ),
        ),
        migrations.AddField(
            model_name="party",
            name="ultimate_parent",
            field=models.CharField(blank=True, help_text="Leave blank if none.", max_length=200),
        ),
        migrations.AddField(
            model_name="party",
            name="ultimate_parent_country",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="proposals.country",
                verbose_name="ultimate parent's country",
            ),
        ),
        migrations.AlterField(
            model_name="party",
            name="country",
            field=models.ForeignKey(
                blank=True,
                help_text="Where the party is located (the delivery address).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="proposals.country",
            ),
        ),
        migrations.AlterField(
            model_name="screeninghit",
            name="subject_type",
            field=models.CharField(
                choices=[
                    ("member", "Consortium member"),
                    ("parent", "Member's ultimate parent"),
                    ("party", "Party to the export"),
                    ("party_parent", "Party's ultimate parent"),
                    ("owner", "Owner of a member or party"),
                    ("owned", "Owned 50% or more by listed parties"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(headquarters_from_location, migrations.RunPython.noop),
    ]
