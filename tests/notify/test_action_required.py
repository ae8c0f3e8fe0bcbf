"""The "Action required" panel on each role's home page: what waits on the user who asks, bounded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.core.enums import GateStatus, HitStatus, ProposalStatus
from proposals.core.permissions import recused_proposal_ids
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel, PanelMember
from proposals.exim.models import Deal
from proposals.notify.selectors import (
    ACTION_COUNTED,
    ACTION_ROWS,
    action_required_for,
    commerce_action_required,
    evaluation_action_required,
    exim_action_required,
)
from tests.factories import (
    CommerceReviewerFactory,
    CriterionFactory,
    ProposalFactory,
    RubricFactory,
    UserFactory,
    license_gate,
    screening_hit,
)

pytestmark = pytest.mark.django_db


def _in_review(consortium, *, reviewer=None, title="P"):
    proposal = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title=title
    )
    CommerceReview.objects.filter(proposal=proposal).update(reviewer=reviewer)
    return proposal


def test_commerce_panel_lists_own_and_unassigned_work_only(consortium, commerce_reviewer):
    colleague = CommerceReviewerFactory(username="colleague")
    mine = _in_review(consortium, reviewer=commerce_reviewer, title="Mine")
    license_gate(mine, GateStatus.OPEN)
    license_gate(mine, GateStatus.OPEN, destination="SA")
    screening_hit(mine, HitStatus.UNRESOLVED)
    nobodys = _in_review(consortium, title="Nobody's")
    screening_hit(nobodys, HitStatus.UNRESOLVED)
    theirs = _in_review(consortium, reviewer=colleague, title="Theirs")
    license_gate(theirs, GateStatus.OPEN)
    done = _in_review(consortium, reviewer=commerce_reviewer, title="Decided")
    license_gate(done, GateStatus.APPROVED)
    screening_hit(done, HitStatus.FALSE_POSITIVE)

    found = commerce_action_required(commerce_reviewer)
    assert [(p.title, p.open_gates, p.unresolved_hits) for p in found["mine"].rows] == [("Mine", 2, 1)]
    assert [(p.title, p.open_gates, p.unresolved_hits) for p in found["unassigned"].rows] == [
        ("Nobody's", 0, 1)
    ]
    assert [p.title for p in commerce_action_required(colleague)["mine"].rows] == ["Theirs"]


def test_commerce_panel_is_nothing_for_other_roles(consortium, exim_officer, lead):
    license_gate(_in_review(consortium), GateStatus.OPEN)
    assert commerce_action_required(exim_officer) == {}
    assert commerce_action_required(lead) == {}


def test_panel_lists_are_bounded_and_say_how_many_more(consortium, commerce_reviewer):
    for n in range(ACTION_ROWS + 2):
        license_gate(_in_review(consortium, reviewer=commerce_reviewer, title=f"P{n}"), GateStatus.OPEN)
    mine = commerce_action_required(commerce_reviewer)["mine"]
    assert (len(mine.rows), mine.total, mine.more) == (ACTION_ROWS, ACTION_ROWS + 2, 2)


def test_panel_counts_stop_at_a_bound_and_say_so(consortium, commerce_reviewer, settings):
    # Counting a reviewer's thousands of waiting proposals on every visit to their home page is not
    # worth its cost: past ACTION_COUNTED the panel says "N+ more" instead of an exact figure.
    for n in range(ACTION_COUNTED + 1):
        license_gate(_in_review(consortium, reviewer=commerce_reviewer, title=f"P{n}"), GateStatus.OPEN)
    mine = commerce_action_required(commerce_reviewer)["mine"]
    assert (len(mine.rows), mine.total, mine.capped) == (ACTION_ROWS, ACTION_COUNTED, True)
    license_gate(_in_review(consortium, title="Unassigned"), GateStatus.OPEN)
    unassigned = commerce_action_required(commerce_reviewer)["unassigned"]
    assert (unassigned.total, unassigned.capped) == (1, False)


def test_home_page_says_a_capped_count_is_a_floor(client, consortium, commerce_reviewer):
    for n in range(ACTION_COUNTED + 1):
        license_gate(_in_review(consortium, reviewer=commerce_reviewer, title=f"P{n}"), GateStatus.OPEN)
    client.force_login(commerce_reviewer)
    html = client.get(reverse("home")).content.decode()
    assert f"And {ACTION_COUNTED - ACTION_ROWS}+ more in the" in html


def _deal(consortium, *, stage, days, term=None, title="D"):
    proposal = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title=title
    )
    return Deal.objects.create(
        proposal=proposal,
        stage=stage,
        stage_entered_at=timezone.now() - timedelta(days=days, hours=1),
        terms={"term_class": term} if term else {},
    )


def test_exim_panel_lists_deals_past_their_stage_benchmark(consortium, exim_officer, commerce_reviewer):
    # Default benchmarks: due diligence 45 days (medium), 90 (long, and deals without terms yet).
    _deal(consortium, stage="due_diligence", days=46, term="medium", title="Medium, over")
    _deal(consortium, stage="due_diligence", days=45, term="medium", title="Medium, on the day")
    _deal(consortium, stage="due_diligence", days=60, term="long", title="Long, within")
    _deal(consortium, stage="due_diligence", days=91, title="No terms yet, over")
    _deal(consortium, stage="declined", days=400, term="medium", title="Closed")
    found = exim_action_required(exim_officer)["deals"]
    assert [(d.proposal.title, d.days, d.benchmark) for d in found.rows] == [
        ("No terms yet, over", 91, 90),
        ("Medium, over", 46, 45),
    ]
    assert exim_action_required(commerce_reviewer) == {}


def _panel(consortium, status, *, title):
    rubric = RubricFactory(published_at=timezone.now())
    CriterionFactory(rubric=rubric, code=f"fit{title}", weight=100)
    proposal = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title=title
    )
    return Panel.objects.create(
        proposal=proposal, rubric=rubric, status=status, stage_entered_at=timezone.now()
    )


def test_evaluator_panel_lists_declarations_and_scores_awaited(consortium):
    evaluator = UserFactory(username="state-evaluator", agency="state")
    other = UserFactory(username="energy-evaluator", agency="energy")
    declare = _panel(consortium, PanelStatus.CONFLICTS, title="Declare")
    score = _panel(consortium, PanelStatus.SCORING, title="Score")
    recused = _panel(consortium, PanelStatus.SCORING, title="Recused")
    submitted = _panel(consortium, PanelStatus.SCORING, title="Submitted")
    PanelMember.objects.create(panel=declare, evaluator=evaluator, agency="state")
    PanelMember.objects.create(
        panel=declare, evaluator=other, agency="energy", declared_at=timezone.now(), has_conflict=False
    )
    PanelMember.objects.create(
        panel=score, evaluator=evaluator, agency="state", declared_at=timezone.now(), has_conflict=False
    )
    PanelMember.objects.create(
        panel=recused, evaluator=evaluator, agency="state", declared_at=timezone.now(), has_conflict=True
    )
    PanelMember.objects.create(
        panel=submitted,
        evaluator=evaluator,
        agency="state",
        declared_at=timezone.now(),
        has_conflict=False,
        submitted_at=timezone.now(),
    )
    rows = evaluation_action_required(evaluator)["panels"].rows
    assert [(s.panel.proposal.title, s.awaits) for s in rows] == [
        ("Declare", "conflicts"),
        ("Score", "scores"),
    ]
    assert evaluation_action_required(other)["panels"].rows == []


def test_agency_home_page_shows_the_panel(client, consortium, commerce_reviewer):
    proposal = _in_review(consortium, reviewer=commerce_reviewer, title="Gulf cluster")
    license_gate(proposal, GateStatus.OPEN)
    client.force_login(commerce_reviewer)
    html = client.get(reverse("home")).content.decode()
    assert "Action required" in html
    assert f'href="{reverse("commerce-proposal", args=[proposal.pk])}">Gulf cluster</a>' in html
    assert "1 license gate to decide" in html


def test_agency_home_page_says_when_nothing_waits(client, exim_officer):
    client.force_login(exim_officer)
    assert "Nothing waits on you right now." in client.get(reverse("home")).content.decode()


def test_evaluator_home_page_links_the_declaration(client, consortium):
    evaluator = UserFactory(username="state-evaluator", agency="state")
    panel = _panel(consortium, PanelStatus.CONFLICTS, title="Declare")
    PanelMember.objects.create(panel=panel, evaluator=evaluator, agency="state")
    client.force_login(evaluator)
    html = client.get(reverse("home")).content.decode()
    assert reverse("evaluation-conflicts", args=[panel.pk]) in html


@pytest.mark.parametrize("count", [1, 2 * ACTION_ROWS + 2])
def test_action_required_query_count_is_fixed(
    consortium, commerce_reviewer, count, django_assert_num_queries
):
    for n in range(count):
        proposal = _in_review(consortium, reviewer=commerce_reviewer if n % 2 else None, title=f"P{n}")
        license_gate(proposal, GateStatus.OPEN)
        screening_hit(proposal, HitStatus.UNRESOLVED, entry_key=f"e{n}")
    # the reviewer's panel seats (recusals), mine, unassigned (each with its bounded COUNT in the same
    # statement, however full); no panel seat, so no query for the evaluation panels
    with django_assert_num_queries(3):
        found = action_required_for(commerce_reviewer)
    assert sum(found[kind].total for kind in ("mine", "unassigned") if kind in found) == count


def test_commerce_panel_leaves_out_what_each_reviewer_is_recused_from(consortium, commerce_reviewer):
    # The lists' shared query is built once a process: each reviewer's recusals still apply to theirs alone.
    colleague = CommerceReviewerFactory(username="colleague")
    conflicted = _panel(consortium, PanelStatus.SCORING, title="Conflicted")
    license_gate(conflicted.proposal, GateStatus.OPEN)
    PanelMember.objects.create(
        panel=conflicted,
        evaluator=commerce_reviewer,
        agency="commerce",
        declared_at=timezone.now(),
        has_conflict=True,
    )

    def unassigned(user):
        return [p.title for p in commerce_action_required(user)["unassigned"].rows]

    assert unassigned(commerce_reviewer) == []
    assert unassigned(colleague) == ["Conflicted"]
    assert unassigned(type(commerce_reviewer).objects.get(pk=commerce_reviewer.pk)) == []


def test_evaluation_panels_are_asked_for_only_by_who_sits_on_a_panel(
    consortium, commerce_reviewer, django_assert_num_queries
):
    recused_proposal_ids(commerce_reviewer)  # the seats, read for the recusal rule by every agency list
    with django_assert_num_queries(0):
        assert evaluation_action_required(commerce_reviewer) == {}
    panel = _panel(consortium, PanelStatus.CONFLICTS, title="Declare")
    PanelMember.objects.create(panel=panel, evaluator=commerce_reviewer, agency="commerce")
    seated = type(commerce_reviewer).objects.get(pk=commerce_reviewer.pk)
    assert [seat.panel.proposal.title for seat in evaluation_action_required(seated)["panels"].rows] == [
        "Declare"
    ]
