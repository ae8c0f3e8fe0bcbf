"""Automated intake's transaction: committed without waiting for the disk, asked for in its locking read."""

from django.db import connection

from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition


def _synchronous_commit() -> str:
    with connection.connection.cursor() as cursor:  # psycopg's own cursor: not seen by execute wrappers
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_intake_asks_for_asynchronous_commit_in_its_read_for_its_own_transaction_only(
    broker, complete_proposal, lead
):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    sent: list[str] = []
    during_write: list[str] = []

    def observe(execute, sql, params, many, context):
        sent.append(sql)
        result = execute(sql, params, many, context)
        if sql.startswith("WITH moved AS"):  # the move's write, in the transaction the read opened
            during_write.append(_synchronous_commit())
        return result

    with connection.execute_wrapper(observe):
        assert intake_check(proposal_id=complete_proposal.pk) == "accept_for_review"

    (read,) = [sql for sql in sent if "FOR UPDATE" in sql]
    assert "set_config('synchronous_commit', 'off', true)" in read
    assert not [sql for sql in sent if "SET LOCAL" in sql]  # no statement of its own: one round trip less
    assert during_write == ["off"]
    assert _synchronous_commit() == "on"  # for that transaction only
