"""Counts per state kept by the database (models.ProposalTally, migration 0033): every way a proposal
is created, moved or deleted keeps the tally equal to a count of the proposals, on PostgreSQL and on
the embedded SQLite; a recount repairs what bypassed the triggers."""

import pytest
from django.core.management import call_command
from django.db import connection

from proposals.core.enums import ProposalStatus
from proposals.intake.models.proposal import Proposal, ProposalTally
from proposals.intake.selectors import proposal_tally_drift, proposal_total_kept
from proposals.intake.services.drafts import proposal_delete
from proposals.intake.services.tally import proposal_tally_rebuild
from proposals.intake.services.transitions import proposal_transition
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _kept(*statuses: str, excluding: tuple[int, ...] = ()) -> int:
    total = proposal_total_kept(statuses=statuses, excluding=excluding)
    return Proposal.objects.annotate(_n=total).values_list("_n", flat=True).first() or 0


def test_tally_rule_follows_every_create_move_and_delete(complete_proposal, consortium, lead):
    drafts = [ProposalFactory(consortium=consortium) for _ in range(3)]
    ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=2)
    assert proposal_tally_drift() == {}
    assert _kept(ProposalStatus.IN_REVIEW) == 1

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)  # draft -> submitted
    proposal_delete(proposal_id=drafts[0].pk, actor=lead)
    assert proposal_tally_drift() == {}
    assert _kept(ProposalStatus.SUBMITTED) == 1
    assert _kept(ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW) == 2

    # Bulk writes the ORM sends as one statement, which no Python signal would see.
    Proposal.objects.filter(pk__in=[d.pk for d in drafts[1:]]).update(status=ProposalStatus.WITHDRAWN)
    Proposal.objects.bulk_create(
        [
            Proposal(
                consortium=consortium,
                call=drafts[1].call,
                title=f"Bulk {n}",
                status="in_review",
                revision_number=1,
            )
            for n in range(5)
        ]
    )
    Proposal.objects.filter(pk=complete_proposal.pk).update(revision_number=0)  # counted as never submitted
    assert proposal_tally_drift() == {}
    assert _kept(ProposalStatus.IN_REVIEW) == 6
    assert _kept(ProposalStatus.SUBMITTED) == 0  # revision 0: not among the submitted

    Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).delete()
    assert proposal_tally_drift() == {}
    assert _kept(ProposalStatus.IN_REVIEW) == 0


def test_tally_rule_a_title_edit_touches_no_count(consortium):
    proposal = ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
    before = list(ProposalTally.objects.order_by("status", "submitted", "shard").values_list())
    proposal.title = "Renamed"
    proposal.revision_number = 2  # still submitted: the same row of the tally
    proposal.save()
    assert list(ProposalTally.objects.order_by("status", "submitted", "shard").values_list()) == before


def test_tally_rule_leaves_out_the_proposals_a_user_is_recused_from(consortium):
    queued = [
        ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
        for _ in range(4)
    ]
    draft = ProposalFactory(consortium=consortium)
    assert _kept(ProposalStatus.IN_REVIEW, excluding=(queued[0].pk, queued[1].pk)) == 2
    # A recusal from a proposal outside the states counted changes nothing.
    assert _kept(ProposalStatus.IN_REVIEW, excluding=(draft.pk,)) == 4


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's (SQLite deletes rows)"
)
def test_tally_rule_a_truncate_empties_the_tally(consortium):
    ProposalFactory(consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction: foreign keys checked now
        cursor.execute("TRUNCATE proposals_proposal CASCADE")
    assert ProposalTally.objects.count() == 0
    assert proposal_tally_drift() == {}


def test_tally_rebuild_repairs_counts_written_around_the_triggers(consortium, capsys):
    for status in (ProposalStatus.IN_REVIEW, ProposalStatus.IN_REVIEW, ProposalStatus.RETURNED):
        ProposalFactory(consortium=consortium, status=status, revision_number=1)
    # As after a load with triggers off: the tally says 40 proposals in review.
    ProposalTally.objects.filter(status=ProposalStatus.IN_REVIEW).delete()
    ProposalTally.objects.create(status=ProposalStatus.IN_REVIEW, submitted=True, shard=0, proposals=40)
    assert proposal_tally_drift() == {(ProposalStatus.IN_REVIEW, True): (40, 2)}
    with pytest.raises(SystemExit):
        call_command("tally_rebuild", "--check")
    assert "in_review (submitted): tally 40, proposals 2" in capsys.readouterr().out

    assert proposal_tally_rebuild() == 3
    assert proposal_tally_drift() == {}
    call_command("tally_rebuild", "--check")
    assert "matches" in capsys.readouterr().out
