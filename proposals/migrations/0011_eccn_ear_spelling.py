"""Stored ECCNs written the EAR's way (3A090.a, 5A992.z): line items, license gates, rule patterns.

Until now they were stored upper-cased (3A090.A); gates are keyed by (ECCN, destination), so the
stored values must be in the spelling licensing now computes, or the next determination would open a
second gate beside each existing one.
"""

from django.db import migrations

from proposals.commerce.policy.eccn import normalize_eccn


def forwards(apps, schema_editor):
    LineItem = apps.get_model("proposals", "LineItem")
    LicenseGate = apps.get_model("proposals", "LicenseGate")
    LicensingRule = apps.get_model("proposals", "LicensingRule")
    for model in (LineItem, LicenseGate):
        changed = []
        for row in model.objects.exclude(eccn="").only("pk", "eccn").iterator(chunk_size=2000):
            spelled = normalize_eccn(row.eccn)
            if spelled != row.eccn:
                row.eccn = spelled
                changed.append(row)
        model.objects.bulk_update(changed, ["eccn"], batch_size=2000)
    for rule in LicensingRule.objects.all():
        patterns = [normalize_eccn(str(p)) for p in rule.eccn_patterns or []]
        if patterns != rule.eccn_patterns:
            rule.eccn_patterns = patterns
            rule.save(update_fields=["eccn_patterns"])


class Migration(migrations.Migration):
    dependencies = [("proposals", "0010_proposal_list_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
