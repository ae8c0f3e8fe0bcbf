"""Recount the proposals per state (models.ProposalTally) from the proposals themselves.

The triggers keep the tally exact in every transaction; a recount is for what bypasses triggers: a
bulk load with triggers off (the bench's COPY in replica mode), a restore of one table without the
other. Safe while the portal runs (see `proposal_tally_rebuild`).
"""

from django.db import connection, transaction

from proposals.intake.models.proposal import TALLY_SHARDS

_RECOUNT = f"""
INSERT INTO proposals_proposaltally (status, submitted, shard, proposals)
SELECT status, revision_number <> 0, id % {TALLY_SHARDS}, COUNT(*) FROM proposals_proposal
GROUP BY status, revision_number <> 0, id % {TALLY_SHARDS}
"""


def proposal_tally_rebuild() -> int:
    """Replace the tally by a count of the proposals; returns how many proposals it counted.

    On PostgreSQL the tally is locked first (EXCLUSIVE: reads go on, triggers wait): a transaction
    whose trigger already ran is waited for and then counted; one whose trigger runs after the lock
    is released adds its move on top of a count that did not see it. Either way nothing is counted
    twice or missed. SQLite runs one writer at a time.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE proposals_proposaltally IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM proposals_proposaltally")
        cursor.execute(_RECOUNT)
        cursor.execute("SELECT COALESCE(SUM(proposals), 0) FROM proposals_proposaltally")
        return int(cursor.fetchone()[0])
