"""The recusal rule on every list that names proposals: a reviewer who declared a conflict of interest
on a proposal finds it in none of them (core.permissions.without_recused), while a colleague does."""

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.commerce.models import CommerceReview
from proposals.core.enums import GateStatus, ProposalStatus
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel, PanelMember
from proposals.notify.selectors import commerce_action_required
from tests.factories import (
    CommerceReviewerFactory,
    CriterionFactory,
    ProposalFactory,
    RubricFactory,
    license_gate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(consortium, commerce_reviewer):
    """A proposal in review with an open license gate, assigned to nobody, and its panel on which
    `commerce_reviewer` declared a conflict."""
    proposal = ProposalFactory(
        consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title="Recusal case"
    )
    CommerceReview.objects.filter(proposal=proposal).update(reviewer=None)
    license_gate(proposal, GateStatus.OPEN)
    rubric = RubricFactory(published_at=timezone.now())
    CriterionFactory(rubric=rubric, code="fit", weight=100)
    panel = Panel.objects.create(
        proposal=proposal, rubric=rubric, status=PanelStatus.CONFLICTS, stage_entered_at=timezone.now()
    )
    PanelMember.objects.create(
        panel=panel,
        evaluator=commerce_reviewer,
        agency="commerce",
        has_conflict=True,
        conflict_statement="Advised the consortium.",
        declared_at=timezone.now(),
    )
    return proposal


def _listed(client, user, proposal) -> dict[str, bool]:
    client.force_login(user)
    queue_api = client.get(reverse("api-commerce-queue")).json()
    return {
        "submitted list": proposal.title in client.get(reverse("home")).content.decode(),
        "queue page": proposal.title in client.get(reverse("commerce-queue")).content.decode(),
        "queue API": proposal.pk in [row["id"] for row in queue_api["results"]],
        "action required": any(
            p.pk == proposal.pk for listed in commerce_action_required(user).values() for p in listed.rows
        ),
    }


def test_recusal_rule_a_recused_reviewer_finds_the_proposal_in_no_list(client, commerce_reviewer, waiting):
    assert _listed(client, commerce_reviewer, waiting) == {
        "submitted list": False,
        "queue page": False,
        "queue API": False,
        "action required": False,
    }


def test_recusal_rule_a_colleague_without_conflict_finds_it_in_every_list(client, waiting):
    colleague = CommerceReviewerFactory(username="colleague-not-recused")
    assert _listed(client, colleague, waiting) == {
        "submitted list": True,
        "queue page": True,
        "queue API": True,
        "action required": True,
    }


def _searched_totals(client, user) -> dict[str, tuple[int, bool]]:
    """The searched lists' totals (the bounded count reads the search summaries, not the list: it
    must still leave out what the list leaves out), as each page and API reports them."""
    client.force_login(user)
    searched = {"q": "case"}
    queue = client.get(reverse("commerce-queue"), searched).context["page"].paginator
    home = client.get(reverse("home"), searched).context["page"].paginator
    queue_api = client.get(reverse("api-commerce-queue"), searched).json()
    proposals_api = client.get(reverse("api-proposal-list"), searched).json()
    return {
        "queue page": (queue.count, queue.count_is_exact),
        "submitted list": (home.count, home.count_is_exact),
        "queue API": (queue_api["count"], queue_api["count_exact"]),
        "proposals API": (proposals_api["count"], proposals_api["count_exact"]),
    }


def test_recusal_rule_searched_totals_leave_out_the_recused_proposal(
    client, consortium, commerce_reviewer, waiting
):
    from proposals.search.services import search_rebuild

    for k in range(2):
        ProposalFactory(
            consortium=consortium, status=ProposalStatus.IN_REVIEW, revision_number=1, title=f"Other case {k}"
        )
    search_rebuild()  # the factory writes no search summaries
    exact = dict.fromkeys(("queue page", "submitted list", "queue API", "proposals API"), (2, True))
    assert _searched_totals(client, commerce_reviewer) == exact
    colleague = CommerceReviewerFactory(username="colleague-not-recused")
    assert _searched_totals(client, colleague) == dict.fromkeys(exact, (3, True))
