"""Counts of proposals per state, kept by triggers in the transaction that inserts, moves or deletes a
proposal (models.ProposalTally; docs/decisions/0011-counts-kept-by-the-database.md).

The table is not Django's (`managed = False`): it and its triggers are created here, for PostgreSQL
and for the embedded SQLite, and filled from the proposals already there.
"""

from django.db import migrations, models

SHARDS = 8  # models.proposal.TALLY_SHARDS, frozen here as the triggers are

POSTGRESQL = f"""
CREATE TABLE proposals_proposaltally (
    status varchar(16) NOT NULL,
    submitted boolean NOT NULL,
    shard smallint NOT NULL CHECK (shard >= 0),
    proposals integer NOT NULL,
    PRIMARY KEY (status, submitted, shard)
);
CREATE FUNCTION proposals_proposal_tally() RETURNS trigger AS $$
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
CREATE FUNCTION proposals_proposal_tally_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM proposals_proposaltally;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER proposal_tally_insert_delete AFTER INSERT OR DELETE ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION proposals_proposal_tally();
CREATE TRIGGER proposal_tally_move AFTER UPDATE OF status, revision_number ON proposals_proposal
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR (OLD.revision_number <> 0) IS DISTINCT FROM (NEW.revision_number <> 0))
    EXECUTE FUNCTION proposals_proposal_tally();
CREATE TRIGGER proposal_tally_truncate AFTER TRUNCATE ON proposals_proposal
    FOR EACH STATEMENT EXECUTE FUNCTION proposals_proposal_tally_truncate();
"""

_SQLITE_ADD = f"""INSERT INTO proposals_proposaltally (status, submitted, shard, proposals)
        VALUES (NEW.status, NEW.revision_number <> 0, NEW.id % {SHARDS}, 1)
        ON CONFLICT (status, submitted, shard) DO UPDATE SET proposals = proposals + 1;"""
_SQLITE_REMOVE = f"""INSERT INTO proposals_proposaltally (status, submitted, shard, proposals)
        VALUES (OLD.status, OLD.revision_number <> 0, OLD.id % {SHARDS}, -1)
        ON CONFLICT (status, submitted, shard) DO UPDATE SET proposals = proposals - 1;"""

# SQLite has no TRUNCATE: Django's flush deletes rows, which the delete trigger counts down.
SQLITE = [
    """CREATE TABLE proposals_proposaltally (
        status varchar(16) NOT NULL,
        submitted bool NOT NULL,
        shard smallint NOT NULL CHECK (shard >= 0),
        proposals integer NOT NULL,
        PRIMARY KEY (status, submitted, shard)
    )""",
    f"CREATE TRIGGER proposal_tally_insert AFTER INSERT ON proposals_proposal BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER proposal_tally_delete AFTER DELETE ON proposals_proposal BEGIN {_SQLITE_REMOVE} END",
    f"""CREATE TRIGGER proposal_tally_move AFTER UPDATE OF status, revision_number ON proposals_proposal
        WHEN OLD.status IS NOT NEW.status OR (OLD.revision_number <> 0) IS NOT (NEW.revision_number <> 0)
        BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END""",
]

FILL = f"""
INSERT INTO proposals_proposaltally (status, submitted, shard, proposals)
SELECT status, revision_number <> 0, id % {SHARDS}, COUNT(*) FROM proposals_proposal
GROUP BY status, revision_number <> 0, id % {SHARDS}
"""

DROP_POSTGRESQL = """
DROP TRIGGER IF EXISTS proposal_tally_insert_delete ON proposals_proposal;
DROP TRIGGER IF EXISTS proposal_tally_move ON proposals_proposal;
DROP TRIGGER IF EXISTS proposal_tally_truncate ON proposals_proposal;
DROP FUNCTION IF EXISTS proposals_proposal_tally();
DROP FUNCTION IF EXISTS proposals_proposal_tally_truncate();
DROP TABLE IF EXISTS proposals_proposaltally;
"""
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS proposal_tally_insert",
    "DROP TRIGGER IF EXISTS proposal_tally_delete",
    "DROP TRIGGER IF EXISTS proposal_tally_move",
    "DROP TABLE IF EXISTS proposals_proposaltally",
]


def _statements(vendor: str, postgresql: str, sqlite: list[str]) -> list[str]:
    if vendor == "postgresql":
        return [postgresql]
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"no proposal tally for {vendor}")


def forwards(apps, schema_editor):
    # The table is locked with the proposals (PostgreSQL) so no proposal moves between the fill's
    # count and the triggers' first run.
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("LOCK TABLE proposals_proposal IN SHARE ROW EXCLUSIVE MODE", params=None)
    for sql in _statements(vendor, POSTGRESQL, SQLITE):
        schema_editor.execute(sql, params=None)
    schema_editor.execute(FILL, params=None)


def backwards(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, DROP_POSTGRESQL, DROP_SQLITE):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0032_proposal_consortium_status")]

    operations = [
        migrations.CreateModel(
            name="ProposalTally",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "status",
                        "submitted",
                        "shard",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted (automated intake)"),
                            ("returned", "Returned to consortium"),
                            ("in_review", "In review"),
                            ("approved", "Approved (EXIM final commitment)"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=16,
                    ),
                ),
                ("submitted", models.BooleanField()),
                ("shard", models.PositiveSmallIntegerField()),
                ("proposals", models.IntegerField()),
            ],
            options={"db_table": "proposals_proposaltally", "managed": False},
        ),
        migrations.RunPython(forwards, backwards),
    ]
