"""Every transition the table does not allow is refused by the service and changes nothing."""

import pytest

from proposals.core.enums import ProposalStatus
from proposals.core.errors import TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.core.workflow import Actor
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.services.transitions import proposal_transition
from proposals.intake.workflow import PROPOSAL_TRANSITIONS
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

DISALLOWED = [
    (action, state)
    for action, transition in PROPOSAL_TRANSITIONS.items()
    for state in ProposalStatus.values
    if state not in transition.sources
]


@pytest.fixture
def actor_for(lead, commerce_reviewer, exim_officer):
    """A user holding one of the roles the transition names, so only the state can refuse it."""
    users = {
        Actor.LEAD: lead,
        Actor.COMMERCE: commerce_reviewer,
        Actor.EXIM: exim_officer,
        Actor.SYSTEM: None,
    }
    return lambda transition: users[sorted(transition.actors & users.keys())[0]]


@pytest.mark.parametrize(("action", "state"), DISALLOWED, ids=[f"{a}-from-{s}" for a, s in DISALLOWED])
def test_transition_from_a_state_the_table_does_not_list_is_refused_and_changes_nothing(
    action, state, consortium, actor_for
):
    proposal = ProposalFactory(consortium=consortium, status=state, revision_number=1)
    before = Proposal.objects.values().get(pk=proposal.pk)

    with pytest.raises(TransitionNotAllowed) as exc:
        proposal_transition(
            proposal_id=proposal.pk, action=action, actor=actor_for(PROPOSAL_TRANSITIONS[action]), reason="x"
        )

    assert exc.value.extra == {"status": state, "action": action}
    assert Proposal.objects.values().get(pk=proposal.pk) == before
    assert not AuditEvent.objects.filter(proposal=proposal).exists()
    assert not Revision.objects.filter(proposal=proposal).exists()


def test_reviewer_may_not_take_a_consortium_transition(complete_proposal, commerce_reviewer):
    with pytest.raises(TransitionNotAllowed) as exc:
        proposal_transition(
            proposal_id=complete_proposal.pk, action="withdraw", actor=commerce_reviewer, reason="x"
        )
    assert exc.value.message == "Your role may not withdraw this proposal."
    assert Proposal.objects.get(pk=complete_proposal.pk).status == ProposalStatus.DRAFT
    assert not AuditEvent.objects.filter(proposal=complete_proposal).exists()


def test_unknown_action_is_refused(complete_proposal, lead):
    with pytest.raises(TransitionNotAllowed, match="Unknown action 'publish'"):
        proposal_transition(proposal_id=complete_proposal.pk, action="publish", actor=lead)
