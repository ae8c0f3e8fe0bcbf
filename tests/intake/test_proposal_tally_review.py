"""The tally of proposals per state (migrations 0033, 0034) where transactions meet: moves committed by
other connections, two moves in opposite directions at once, a recount while a move is open, the
flush between transactional tests; and the Commerce queue's API total against the rows it lists."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination

from proposals.commerce.selectors import CommerceQueueFilter, CommerceQueuePaginator, commerce_queue_for
from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import TALLY_SHARDS, Proposal, ProposalTally
from proposals.intake.selectors import proposal_tally_drift
from proposals.intake.services.tally import proposal_tally_rebuild
from tests.factories import ProposalFactory, declared_conflict

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: SQLite has one writer"
)


def _tallied() -> int:
    return sum(ProposalTally.objects.values_list("proposals", flat=True))


def _in_one_shard(consortium, n: int) -> list[Proposal]:
    """n submitted proposals whose ids fall in the same shard of the tally."""
    made: list[Proposal] = []
    while len(made) < n:
        proposal = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED, revision_number=1)
        if proposal.pk % TALLY_SHARDS == 0:
            made.append(proposal)
    return made


@pytest.mark.django_db(transaction=True)
def test_tally_flush_first_of_two_transactional_tests_writes_proposals(consortium):
    ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
    assert _tallied() == Proposal.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_tally_flush_second_starts_from_no_proposals_and_no_count():
    """The flush after the test above (TRUNCATE on PostgreSQL, DELETE on SQLite) left no count behind."""
    assert Proposal.objects.count() == 0
    assert _tallied() == 0
    assert proposal_tally_drift() == {}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_tally_moves_in_opposite_directions_at_once_never_deadlock(consortium):
    """Intake returning one proposal (submitted -> returned) while a lead resubmits another of the same
    shard (returned -> submitted): each move changes the same two rows of the tally. Taken in opposite
    orders (migration 0033), PostgreSQL aborted some 28 of these 800 moves as deadlocks."""
    returning = _in_one_shard(consortium, 4)
    resubmitting = returning[2:]
    Proposal.objects.filter(pk__in=[p.pk for p in resubmitting]).update(status=ProposalStatus.RETURNED)
    start = threading.Barrier(4)
    failures: list[DatabaseError] = []

    def back_and_forth(pk: int, there: str, back: str) -> None:
        try:
            start.wait(timeout=60)
            for _ in range(100):
                for status in (there, back):
                    try:
                        with transaction.atomic():
                            Proposal.objects.filter(pk=pk).update(status=status)
                    except DatabaseError as exc:  # a deadlock: one of the pair rolled back
                        failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=back_and_forth, args=(proposal.pk, there, back))
        for proposal, there, back in (
            (returning[0], "returned", "submitted"),
            (returning[1], "returned", "submitted"),
            (resubmitting[0], "submitted", "returned"),
            (resubmitting[1], "submitted", "returned"),
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [str(exc).splitlines()[0] for exc in failures] == []
    assert proposal_tally_drift() == {}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_tally_rebuild_waits_for_an_open_move_and_counts_it(consortium):
    """A move whose trigger ran before the recount locked the tally: the recount waits for its commit,
    then counts it once (services/tally.py). Drift after both would be the move counted twice or lost."""
    moving = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED, revision_number=1)
    moved, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def move() -> None:
        try:
            with transaction.atomic():
                Proposal.objects.filter(pk=moving.pk).update(status=ProposalStatus.IN_REVIEW)
                moved.set()
                release.wait(timeout=60)
            outcomes["move"] = "ok"
        finally:
            connection.close()

    def rebuild() -> None:
        try:
            outcomes["rebuild"] = proposal_tally_rebuild()
        finally:
            connection.close()

    mover = threading.Thread(target=move)
    mover.start()
    assert moved.wait(timeout=60)
    recount = threading.Thread(target=rebuild)
    recount.start()
    with connection.cursor() as cursor:
        waiting = False
        for _ in range(6000):  # until the recount waits on the open move's lock (pg_locks, not time)
            cursor.execute(
                "SELECT count(*) FROM pg_locks"
                " WHERE relation = 'proposals_proposaltally'::regclass AND NOT granted"
            )
            waiting = cursor.fetchone()[0] > 0
            if waiting or not recount.is_alive():
                break
            threading.Event().wait(0.01)
    assert waiting, "the recount did not wait for the open move"
    release.set()
    mover.join()
    recount.join()
    assert outcomes == {"move": "ok", "rebuild": 1}
    assert proposal_tally_drift() == {}
    kept = ProposalTally.objects.get(
        status=ProposalStatus.IN_REVIEW, submitted=True, shard=moving.pk % TALLY_SHARDS
    )
    assert kept.proposals == 1


@pytest.mark.django_db
def test_queue_api_total_is_the_number_of_rows_it_pages_through(
    api_client, commerce_reviewer, consortium, monkeypatch, settings
):
    """The API's `count`, read from the tally, against the rows its pages list: states chosen, a
    recusal, drafts never submitted and a proposal moved to a queued state without a submission."""
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    settings.EXPORTAI_PAGE_CACHE_SECONDS = 0
    for status in ["submitted", "in_review", "in_review", "in_review", "returned", "approved"]:
        ProposalFactory(consortium=consortium, status=status, revision_number=1)
    ProposalFactory(consortium=consortium)  # a draft
    unsubmitted = ProposalFactory(consortium=consortium)
    Proposal.objects.filter(pk=unsubmitted.pk).update(status=ProposalStatus.IN_REVIEW)  # revision 0
    recused = ProposalFactory(consortium=consortium, status="in_review", revision_number=2)
    declared_conflict(recused, commerce_reviewer)
    api_client.force_authenticate(commerce_reviewer)
    for query, expected in [
        ({}, 5),
        ({"status": "in_review"}, 3),
        ({"status": ["returned", "submitted"]}, 2),
        ({"sort": "-title"}, 5),
    ]:
        body = api_client.get(reverse("api-commerce-queue"), query).json()
        listed = [row["id"] for row in body["results"]]
        page = 1
        while body["next"]:
            page += 1
            body = api_client.get(reverse("api-commerce-queue"), {**query, "page": page}).json()
            listed += [row["id"] for row in body["results"]]
        assert (body["count"], body["count_exact"], len(set(listed))) == (expected, True, expected), query
        assert recused.pk not in listed and unsubmitted.pk not in listed


@pytest.mark.django_db
@pytest.mark.parametrize("kept", [0, 40])
def test_queue_total_is_counted_when_the_tally_contradicts_the_rows_read(
    commerce_reviewer, consortium, kept, caplog
):
    """A tally left wrong (a load with triggers off, a partial restore) must not show silently: said 0,
    the queue listed nothing; said 40, it ran on into empty pages. A page whose rows the kept total
    cannot hold is counted instead, and the drift is logged."""
    queued = [
        ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
        for _ in range(3)
    ]
    ProposalTally.objects.filter(status=ProposalStatus.IN_REVIEW).delete()
    ProposalTally.objects.create(status=ProposalStatus.IN_REVIEW, submitted=True, shard=0, proposals=kept)
    request = RequestFactory().get("/commerce/")
    request.user = commerce_reviewer
    filterset = CommerceQueueFilter(
        request.GET, queryset=commerce_queue_for(commerce_reviewer), request=request
    )
    listed, number, paginator = [], 1, None
    for _ in range(kept + 3):  # a walk that never ends fails here, not by hanging
        paginator = CommerceQueuePaginator.of_filterset(filterset, 2)
        page = paginator.get_page(number)
        listed += [row.pk for row in page.object_list]
        if not page.has_next():
            break
        number = page.next_page_number()
    assert sorted(listed) == sorted(p.pk for p in queued)
    assert paginator.count == 3
    assert "tally_rebuild" in caplog.text


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_tally_drift_reads_no_drift_from_a_move_committed_while_it_reads(consortium):
    """`tally_rebuild --check` on a live database: a move committed by another connection while the
    check reads is not drift (the tally and the proposals moved together)."""
    moving = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED, revision_number=1)
    statements = 0

    def another_connection_moves_after_the_first_read(execute, sql, params, many, context):
        nonlocal statements
        result = execute(sql, params, many, context)
        statements += 1
        if statements == 1:
            mover = threading.Thread(target=_move_and_close, args=(moving.pk, ProposalStatus.IN_REVIEW))
            mover.start()
            mover.join()
        return result

    with connection.execute_wrapper(another_connection_moves_after_the_first_read):
        assert proposal_tally_drift() == {}
    assert Proposal.objects.get(pk=moving.pk).status == ProposalStatus.IN_REVIEW


def _move_and_close(pk: int, status: str) -> None:
    try:
        Proposal.objects.filter(pk=pk).update(status=status)
    finally:
        connection.close()


@pytest.mark.django_db
def test_tally_a_submission_that_changes_only_the_revision_number_moves_the_count(consortium):
    draft = ProposalFactory(consortium=consortium, status=ProposalStatus.SUBMITTED)  # revision 0
    Proposal.objects.filter(pk=draft.pk).update(revision_number=1)  # the state stays "submitted"
    assert proposal_tally_drift() == {}
    kept = dict(
        ProposalTally.objects.filter(status=ProposalStatus.SUBMITTED)
        .values_list("submitted")
        .annotate(Sum("proposals"))
    )
    assert kept == {True: 1, False: 0}


@postgresql_only
@pytest.mark.django_db
def test_tally_a_truncate_cascading_from_another_table_empties_the_tally(consortium):
    ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction: foreign keys checked now
        cursor.execute("TRUNCATE proposals_consortium CASCADE")  # reaches proposals_proposal by its key
    assert Proposal.objects.count() == 0
    assert _tallied() == 0
