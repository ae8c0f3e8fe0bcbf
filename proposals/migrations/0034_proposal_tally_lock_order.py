"""The tally's trigger (migration 0033) takes its two rows of a move in one order, on PostgreSQL.

A move changes two rows of the tally: the old state's count down, the new state's up, each row locked
until the transaction commits. Taken old-then-new, two transactions moving proposals of one shard in
opposite directions (intake returns one as incomplete, submitted -> returned, while a lead resubmits
another, returned -> submitted) could each hold the row the other wanted next: PostgreSQL then aborted
one of them ("deadlock detected"; tests/intake/test_proposal_tally_review.py). Taken in the order of
the rows' keys, every such pair waits instead. SQLite runs one writer at a time: nothing to change.
"""

from django.db import migrations

SHARDS = 8  # models.proposal.TALLY_SHARDS, frozen here as the triggers are

ORDERED = f"""
CREATE FUNCTION proposals_proposaltally_add(
    of_status varchar, of_submitted boolean, of_shard bigint, delta integer
) RETURNS void AS $$
    INSERT INTO proposals_proposaltally AS t (status, submitted, shard, proposals)
    VALUES (of_status, of_submitted, of_shard, delta)
    ON CONFLICT (status, submitted, shard) DO UPDATE SET proposals = t.proposals + delta;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION proposals_proposal_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.status, NEW.revision_number <> 0, NEW.id % {SHARDS})
                            < (OLD.status, OLD.revision_number <> 0, OLD.id % {SHARDS}) THEN
        PERFORM proposals_proposaltally_add(NEW.status, NEW.revision_number <> 0, NEW.id % {SHARDS}, 1);
        PERFORM proposals_proposaltally_add(OLD.status, OLD.revision_number <> 0, OLD.id % {SHARDS}, -1);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM proposals_proposaltally_add(OLD.status, OLD.revision_number <> 0, OLD.id % {SHARDS}, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM proposals_proposaltally_add(NEW.status, NEW.revision_number <> 0, NEW.id % {SHARDS}, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# Migration 0033's function, as it was.
OLD_FIRST = f"""
CREATE OR REPLACE FUNCTION proposals_proposal_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO proposals_proposaltally AS t (status, submitted, shard, proposals)
        VALUES (OLD.status, OLD.revision_number <> 0, OLD.id % {SHARDS}, -1)
        ON CONFLICT (status, submitted, shard) DO UPDATE SET proposals = t.proposals - 1;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO proposals_proposaltally AS t (status, submitted, shard, proposals)
        VALUES (NEW.status, NEW.revision_number <> 0, NEW.id % {SHARDS}, 1)
        ON CONFLICT (status, submitted, shard) DO UPDATE SET proposals = t.proposals + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS proposals_proposaltally_add(varchar, boolean, bigint, integer);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORDERED, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_FIRST, params=None)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0033_proposal_tally")]

    operations = [migrations.RunPython(forwards, backwards)]
