"""Issue 8: proposal lists filtered by status, newest first (see Proposal.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0009_deal_stage_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                fields=["status", "-updated_at", "-id"],
                include=("revision_number",),
                name="proposal_status_recent",
            ),
        ),
    ]
