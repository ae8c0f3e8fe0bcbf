"""Decision 0012: on PostgreSQL parameters are bound on the server; the statements that read rows by
their keys (core.statements.KeyedStatement) are prepared, and no other statement is, however often
it is sent (its plan may depend on its values: an ECCN on 96% of proposals or on 1%)."""

import pytest
from django.db import connection

from proposals.core.statements import KeyedStatement
from proposals.intake.models.proposal import Proposal
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

TITLES = KeyedStatement(lambda: Proposal.objects.values_list("pk", "title"))


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_keyed_statement_is_prepared_on_its_first_run_with_the_keys_as_a_parameter() -> None:
    first, second = ProposalFactory(), ProposalFactory()
    before = _prepared_statements()
    assert TITLES.rows([first.pk]) == [(first.pk, first.title)]
    prepared = [sql for sql in _prepared_statements() - before if "ANY($" in sql]
    assert len(prepared) == 1
    assert prepared[0].rstrip().endswith('"proposals_proposal"."id" = ANY($1)'), prepared[0]
    # Run again with other keys: the same prepared statement, the right rows.
    assert TITLES.rows([second.pk]) == [(second.pk, second.title)]
    assert [sql for sql in _prepared_statements() - before if "ANY($" in sql] == prepared


def test_any_other_statement_is_never_prepared_however_often_it_is_sent() -> None:
    proposal = ProposalFactory()
    marker = "never-prepared-probe"
    before = _prepared_statements()
    for _ in range(20):
        assert not Proposal.objects.filter(pk=proposal.pk, title=marker).exists()
    assert [sql for sql in _prepared_statements() - before if '"title" = $' in sql] == []
