"""On PostgreSQL, refuse UPDATE and DELETE on audit events: the trail is append-only."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION proposals_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS auditevent_append_only ON proposals_auditevent;
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON proposals_auditevent
    FOR EACH ROW EXECUTE FUNCTION proposals_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS auditevent_append_only ON proposals_auditevent;
DROP FUNCTION IF EXISTS proposals_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
