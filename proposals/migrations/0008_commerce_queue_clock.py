"""Every submitted proposal gets its Commerce review row; the queue's clock sort gets its index.

Submission now opens the review (services.transitions); this adds the rows that proposals submitted
before that change lack, so the Commerce queue can read its page through an INNER join (issue 8).
"""

from django.db import migrations, models

BATCH = 5_000


def open_missing_reviews(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    CommerceReview = apps.get_model("proposals", "CommerceReview")
    missing = (
        Proposal.objects.exclude(revision_number=0)
        .filter(commerce_review__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(missing)
    for start in range(0, len(ids), BATCH):
        CommerceReview.objects.bulk_create(
            [CommerceReview(proposal_id=pk) for pk in ids[start : start + BATCH]], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0007_commerce_review_screened_names")]

    operations = [
        migrations.RunPython(open_missing_reviews, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="commercereview",
            index=models.Index(fields=["-clock_days", "proposal"], name="commerce_review_clock"),
        ),
    ]
