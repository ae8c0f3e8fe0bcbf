"""The search summary's GIN indexes without a pending list (fastupdate off), on PostgreSQL.

With fastupdate on, a summary's new entries wait in a pending list (up to gin_pending_list_limit,
4 MB) that every filter reads through in full until VACUUM or the limit merges it: after 3,000 edits
at 100,000 proposals it held 2 MB, and a search or destination filter read it each time. Written
straight into the index, an edit cost the same (a one-proposal refresh, ~6 ms either way), since the
summary's writes are one proposal at a time and the full rebuild builds the indexes after its rows.
"""

from django.db import migrations

GIN = ("proposalsearch_eccns_gin", "proposalsearch_countries_gin", "proposalsearch_document_gin")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in GIN:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)", params=None)
        # What already waits is merged now; nothing waits after this.
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", params=[name])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in GIN:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0030_search_item_eccns"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
