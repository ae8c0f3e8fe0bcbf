import django.db.models.deletion
from django.db import migrations, models


def attach_strays(apps, schema_editor):
    """Any proposal started without a call since calls came in answers the first call."""
    Call = apps.get_model("proposals", "Call")
    Proposal = apps.get_model("proposals", "Proposal")
    if Proposal.objects.filter(call__isnull=True).exists():
        first = Call.objects.get(slug="pre-set-consortia-2026")
        Proposal.objects.filter(call__isnull=True).update(call=first)


class Migration(migrations.Migration):
    # Not atomic: the update commits before the column turns NOT NULL (PostgreSQL refuses to alter a
    # table with deferred foreign-key checks pending in the same transaction).
    atomic = False

    dependencies = [
        ("proposals", "0019_rfi_answer_attachments"),
    ]

    operations = [
        migrations.RunPython(attach_strays, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="proposal",
            name="call",
            field=models.ForeignKey(
                help_text="The call for proposals this proposal answers.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="proposals.call",
            ),
        ),
    ]
