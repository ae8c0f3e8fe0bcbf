"""Decision 0012: on PostgreSQL the statements that read rows by their keys (core.statements.
KeyedStatement) are prepared, and no other statement is, however often it is sent (its plan may depend
on its values: an ECCN on 96% of proposals or on 1%)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.core.statements import KeyedStatement, prepares_keyed_statements
from proposals.intake.models.proposal import Proposal
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

TITLES = KeyedStatement(lambda: Proposal.objects.values_list("pk", "title"))


@pytest.fixture
def persistent_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection kept between requests, as deployed (CONN_MAX_AGE 60 in .env.example)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def _parameter_types(statement: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE statement = %s", [statement]
        )
        return [types for (types,) in cursor.fetchall()]


@pytest.mark.usefixtures("persistent_connection")
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


@pytest.mark.usefixtures("persistent_connection")
def test_small_and_large_keys_share_one_prepared_statement_of_bigint_keys() -> None:
    before = _prepared_statements()
    for keys in ([7], [40_000], [3_000_000_000], [7, 40_000]):  # int2, int4, int8 each by size
        assert TITLES.rows(keys) == []
    prepared = [sql for sql in _prepared_statements() - before if "ANY($" in sql]
    assert len(prepared) == 1
    assert _parameter_types(prepared[0]) == [["bigint[]"]]


def test_nothing_is_prepared_on_a_connection_closed_after_each_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    assert not prepares_keyed_statements(connection)
    proposal = ProposalFactory()
    before = _prepared_statements()
    assert TITLES.rows([proposal.pk]) == [(proposal.pk, proposal.title)]
    assert [sql for sql in _prepared_statements() - before if "ANY($" in sql] == []


@pytest.mark.usefixtures("persistent_connection")
def test_a_keyed_statement_runs_unprepared_while_django_logs_queries_so_the_log_shows_it() -> None:
    proposal = ProposalFactory()
    before = _prepared_statements()
    with CaptureQueriesContext(connection) as captured:
        assert not prepares_keyed_statements(connection)
        assert TITLES.rows([proposal.pk]) == [(proposal.pk, proposal.title)]
    assert len(captured.captured_queries) == 1
    assert "ANY(" in captured.captured_queries[0]["sql"]
    assert [sql for sql in _prepared_statements() - before if "ANY($" in sql] == []
