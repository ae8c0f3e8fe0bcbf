"""Who may do what: role and object predicates shared by the web, the API, the admin and the PDFs.

Consortium roles are looked up once per user object and cached on it, so a list page asking the
same question for many proposals costs one query.
"""

from typing import Any

import rules

from proposals.core.enums import EDITABLE_STATUSES, ConsortiumUserRole
from proposals.core.workflow import AGENCIES, Actor
from proposals.intake.models.consortium import ConsortiumUser


def consortium_roles(user: Any) -> dict[int, str]:
    """{consortium_id: role} for a user; cached on the user instance.

    Agency staff (Commerce, EXIM, program) act for no consortium, whatever rows say: a reviewer is
    never also an applicant (separation of duties), and their pages skip this query.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "agency", ""):
        return {}
    cached = getattr(user, "_exportai_consortium_roles", None)
    if cached is None:
        cached = dict(ConsortiumUser.objects.filter(user=user).values_list("consortium_id", "role"))
        user._exportai_consortium_roles = cached
    return cached


def actor_roles(user: Any, proposal: Any) -> set[str]:
    """The workflow actors this user counts as for this proposal (see workflow.Actor)."""
    roles: set[str] = set()
    if user is None:
        return {Actor.SYSTEM}
    role = consortium_roles(user).get(proposal.consortium_id)
    if role == ConsortiumUserRole.LEAD:
        roles |= {Actor.LEAD, Actor.EDITOR}
    elif role == ConsortiumUserRole.EDITOR:
        roles.add(Actor.EDITOR)
    if agency := AGENCIES.get(getattr(user, "agency", "")):
        roles.add(agency.actor)
    if getattr(user, "is_superuser", False):
        roles.add(Actor.PROGRAM)
    return roles


@rules.predicate
def is_consortium_user(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.consortium_id in consortium_roles(user)


@rules.predicate
def is_consortium_editor(user: Any, proposal: Any) -> bool:
    return proposal is not None and consortium_roles(user).get(proposal.consortium_id) in (
        ConsortiumUserRole.LEAD,
        ConsortiumUserRole.EDITOR,
    )


@rules.predicate
def is_consortium_lead(user: Any, proposal: Any) -> bool:
    return (
        proposal is not None and consortium_roles(user).get(proposal.consortium_id) == ConsortiumUserRole.LEAD
    )


@rules.predicate
def is_consortium_member_user(user: Any, consortium: Any) -> bool:
    """Any role in this consortium (the object is a Consortium, not a proposal)."""
    return consortium is not None and consortium.pk in consortium_roles(user)


@rules.predicate
def is_lead_of_consortium(user: Any, consortium: Any) -> bool:
    return consortium is not None and consortium_roles(user).get(consortium.pk) == ConsortiumUserRole.LEAD


def _acts_as(user: Any, actor: str) -> bool:
    agency = AGENCIES.get(getattr(user, "agency", ""))
    return agency is not None and agency.actor == actor


@rules.predicate
def is_agency_reviewer(user: Any) -> bool:
    return getattr(user, "agency", "") in AGENCIES or getattr(user, "is_superuser", False)


@rules.predicate
def is_commerce(user: Any) -> bool:
    return _acts_as(user, Actor.COMMERCE)


@rules.predicate
def is_exim(user: Any) -> bool:
    return _acts_as(user, Actor.EXIM)


@rules.predicate
def is_program_admin(user: Any) -> bool:
    return _acts_as(user, Actor.PROGRAM) or getattr(user, "is_superuser", False)


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def was_submitted(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.revision_number > 0


@rules.predicate
def is_editable(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.status in EDITABLE_STATUSES


rules.add_perm("proposals.view_proposal", is_consortium_user | (is_agency_reviewer & was_submitted))
rules.add_perm("proposals.change_proposal", is_consortium_editor & is_editable)
rules.add_perm("proposals.submit_proposal", is_consortium_lead & is_editable)
rules.add_perm("proposals.withdraw_proposal", is_consortium_lead)
rules.add_perm("proposals.review_commerce", is_commerce & was_submitted)
rules.add_perm("proposals.review_exim", is_exim & was_submitted)

# The consortium's own membership list: everyone in it reads; only its lead changes it.
rules.add_perm("proposals.view_consortium_members", is_consortium_member_user)
rules.add_perm("proposals.change_consortium_members", is_lead_of_consortium)

# Commerce workspace: the queue and its bulk actions need the role; each proposal also needs a submission.
rules.add_perm("proposals.commerce_workspace", is_commerce)

# The EXIM track: officers work deals; program administrators see them.
rules.add_perm("proposals.view_deal", is_exim | is_program_admin)
rules.add_perm("proposals.change_deal", is_exim)
rules.add_perm("proposals.view_exim_dashboard", is_exim | is_program_admin)

# Calls for proposals: everyone signed in reads them (a consortium chooses one); program staff
# (the program agency and superusers) create and change calls and their rubrics.
rules.add_perm("proposals.view_calls", is_signed_in)
rules.add_perm("proposals.manage_calls", is_program_admin)
