"""Decision 0012: on PostgreSQL the portal's connections bind parameters on the server and prepare a
statement once the connection has sent it `DATABASE_PREPARE_THRESHOLD` times (5)."""

import re

import pytest
from django.conf import settings
from django.db import connection

from proposals.intake.models.proposal import Proposal
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_is_prepared_when_sent_as_often_as_the_threshold_with_values_as_parameters() -> None:
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    proposal = ProposalFactory()
    marker = "prepared-statement-probe"
    before = set(_prepared_statements())

    def probe() -> None:  # a statement of its own: no other query filters on both columns
        assert not Proposal.objects.filter(pk=proposal.pk, title=marker).exists()

    def new() -> list[str]:
        return [sql for sql in set(_prepared_statements()) - before if '"title" = $' in sql]

    # psycopg counts the sends: the statement is prepared on the one after the threshold's.
    for _ in range(threshold):
        probe()
    assert new() == []
    probe()
    prepared = new()
    assert len(prepared) == 1
    # The values travelled as parameters ($1, $2), never spliced into the prepared text.
    assert marker not in prepared[0]
    assert re.search(r'"id" = \$\d', prepared[0]), prepared[0]
