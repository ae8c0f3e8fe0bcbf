"""KeyedStatement: a queryset compiled once a process, run with new keys, answers what the ORM does."""

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError

from proposals.commerce.models import CommerceReview
from proposals.core.statements import KeyedStatement, _Keys, _KeysParameter
from proposals.intake.models.proposal import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# A join that may be missing (the review), a datetime (converted on SQLite) and a foreign table's text.
COLUMNS = ("pk", "title", "updated_at", "consortium__name", "commerce_review__clock_days")


@pytest.fixture
def five(consortium) -> list[int]:
    proposals = [ProposalFactory(consortium=consortium, title=f"P{n}") for n in range(5)]
    CommerceReview.objects.create(proposal=proposals[1], clock_days=12)
    return [p.pk for p in proposals]


def _sent(statement: KeyedStatement, keys: list[int]) -> tuple[list[tuple], list[str]]:
    """The statement's rows for `keys` and the SQL it sent (before the driver binds parameters)."""
    sent: list[str] = []

    def capture(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        rows = statement.rows(keys)
    return rows, sent


def test_keyed_statement_answers_the_same_rows_as_the_orm(five):
    statement = KeyedStatement(lambda: Proposal.objects.values_list(*COLUMNS))
    keys = [five[3], five[1], five[0]]
    rows, _ = _sent(statement, keys)
    assert sorted(rows) == sorted(Proposal.objects.filter(pk__in=keys).values_list(*COLUMNS))
    assert {row[0]: row[4] for row in rows}[five[1]] == 12  # through the join; None where no review


def test_keyed_statement_is_built_and_compiled_once_and_sends_the_same_sql_for_any_keys(five):
    built = []

    def build():
        built.append(1)
        return Proposal.objects.values_list("pk", "title")

    statement = KeyedStatement(build)
    one, first = _sent(statement, five[:1])
    four, second = _sent(statement, five[1:])
    assert len(built) == 1
    assert first == second == [statement.compiled().sql]  # the keys are one parameter, whatever their number
    assert [row[0] for row in one] == five[:1] and sorted(row[0] for row in four) == five[1:]


def test_keyed_statement_reads_only_the_given_keys_and_no_query_for_none(five, django_assert_num_queries):
    statement = KeyedStatement(lambda: Proposal.objects.values_list("pk"))
    assert statement.rows([five[2], 10**9]) == [(five[2],)]
    with django_assert_num_queries(0):
        assert statement.rows([]) == []


def test_keyed_statement_matches_a_foreign_key_column(five):
    reviews = KeyedStatement(
        lambda: CommerceReview.objects.values_list("proposal_id", "clock_days"), key="proposal_id"
    )
    assert reviews.rows(five) == [(five[1], 12)]


def test_keyed_statement_refuses_a_statement_whose_keys_are_not_one_parameter(five):
    """Fail closed: keys bound in two places (or none) would be run with one of them left as it was."""
    twice = KeyedStatement(
        lambda: Proposal.objects.filter(_KeysParameter(F("consortium_id"), _Keys())).values_list("pk")
    )
    with pytest.raises(ValueError, match="one parameter"):
        twice.rows(five)


def test_distinct_per_proposal_lists_each_code_once_and_none_as_empty(five):
    """The queue's destinations: read in the rows' own statement (a list per row, in no order)."""
    from proposals.core.counts import distinct_per_proposal
    from proposals.intake.models.proposal import Site

    for country in ("AE", "SA", "AE"):
        Site.objects.create(proposal_id=five[0], name=f"Site {country}", country_id=country, city="City")
    rows = KeyedStatement(
        lambda: Proposal.objects.annotate(countries=distinct_per_proposal(Site, "country_id")).values_list(
            "pk", "countries"
        )
    ).rows(five[:2])
    assert {pk: sorted(countries) for pk, countries in rows} == {five[0]: ["AE", "SA"], five[1]: []}


def test_keyed_statement_builds_the_model_instances_the_orm_builds_with_their_related_rows(
    five, django_assert_num_queries
):
    statement = KeyedStatement(lambda: Proposal.objects.select_related("consortium", "commerce_review"))
    keys = [five[1], five[4]]
    built = {p.pk: p for p in statement.instances(keys)}
    expected = {
        p.pk: p for p in Proposal.objects.select_related("consortium", "commerce_review").filter(pk__in=keys)
    }
    assert sorted(built) == sorted(expected)
    for pk, proposal in built.items():
        assert proposal._state.adding is False and proposal._state.db == "default"
        assert [getattr(proposal, f.attname) for f in Proposal._meta.concrete_fields] == [
            getattr(expected[pk], f.attname) for f in Proposal._meta.concrete_fields
        ]
    with django_assert_num_queries(0):  # the related rows came with them: no query to read them
        assert built[five[1]].consortium.name == expected[five[1]].consortium.name
        assert built[five[1]].commerce_review.clock_days == 12
    assert statement.instances([]) == []


def test_keyed_statement_of_one_key_sends_an_equality_and_refuses_any_other_number_of_keys(five):
    statement = KeyedStatement(lambda: Proposal.objects.values_list("pk", "title"), one=True)
    rows, sent = _sent(statement, [five[2]])
    assert rows == [(five[2], "P2")]
    assert "ANY" not in sent[0] and "json_each" not in sent[0]
    with pytest.raises(ValueError, match="one key"):
        statement.rows(five[:2])


def test_keyed_statement_instances_in_order_follow_the_keys_and_leave_out_a_key_without_a_row(five):
    statement = KeyedStatement(lambda: Proposal.objects.only("title"))
    gone = max(five) + 1000
    keys = [five[4], gone, five[0], five[2]]
    assert [(p.pk, p.title) for p in statement.instances_in_order(keys)] == [
        (five[4], "P4"),
        (five[0], "P0"),
        (five[2], "P2"),
    ]


def test_keyed_statement_instances_needs_a_model_queryset(five):
    with pytest.raises(TypeError, match="model instances"):
        KeyedStatement(lambda: Proposal.objects.values_list("pk")).instances(five[:1])


@pytest.mark.django_db(transaction=True)
def test_keyed_locking_statement_runs_only_inside_a_transaction(consortium):
    """As the ORM's select_for_update: compiled once inside a transaction, it is still refused outside one
    (its lock would be released at once)."""
    pk = ProposalFactory(consortium=consortium).pk
    statement = KeyedStatement(lambda: Proposal.objects.select_for_update(), one=True)
    with transaction.atomic():
        assert [p.pk for p in statement.instances([pk])] == [pk]
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            statement.instances([pk])


def test_keyed_statement_keeps_the_order_it_is_given(five):
    statement = KeyedStatement(lambda: Proposal.objects.values_list("pk"), order_by=("-title",))
    assert statement.rows(five) == [(pk,) for pk in reversed(five)]  # P4, P3, ... P0
    assert "ORDER BY" not in KeyedStatement(lambda: Proposal.objects.values_list("pk")).compiled().sql
