"""Who may do what: role and object predicates shared by the web, the API, the admin and the PDFs.

Consortium roles are looked up once per user object and cached on it, so a list page asking the
same question for many proposals costs one query.
"""

from typing import Any

import rules
from django.db.models import QuerySet

from proposals.core.enums import EDITABLE_STATUSES, ConsortiumUserRole
from proposals.core.statements import KeyedStatement
from proposals.core.workflow import AGENCIES, Actor
from proposals.evaluation.models import PanelMember
from proposals.evaluation.workflow import EVALUATOR_AGENCIES
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
    """Commerce, EXIM and program staff: they see every submitted proposal. The evaluating agencies
    (State, War, Energy, OSTP) see only the proposals of the panels they sit on (`sits_on_panel`)."""
    agency = AGENCIES.get(getattr(user, "agency", ""))
    return (agency is not None and agency.actor != Actor.EVALUATOR) or getattr(user, "is_superuser", False)


def _panel_seats(user: Any) -> dict[int, bool | None]:
    """{proposal_id: declared conflict (None: not declared yet)} for the panels the user sits on;
    cached on the user instance, one query however many proposals a page asks about."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_exportai_panel_seats", None)
    if cached is None:
        cached = user._exportai_panel_seats = dict(_PANEL_SEATS.rows([user.pk]))
    return cached


# A user's seats: read on every page an agency user opens, so compiled once a process (building and
# compiling the join was about 0.4 ms a request, more than PostgreSQL took to answer; issue 16).
_PANEL_SEATS = KeyedStatement(
    lambda: PanelMember.objects.values_list("panel__proposal_id", "has_conflict"), key="evaluator_id"
)


def sits_on_any_panel(user: Any) -> bool:
    """Whether the user holds any panel seat (from the seats cached on the user instance)."""
    return bool(_panel_seats(user))


def recused_proposal_ids(user: Any) -> set[int]:
    """The proposals this user declared a conflict of interest on: they may not open them."""
    return {pk for pk, conflict in _panel_seats(user).items() if conflict}


def panel_seats_forget(user: Any) -> None:
    """Drop the seats cached on this user instance (after they declare, in the same request)."""
    user.__dict__.pop("_exportai_panel_seats", None)


def without_recused(queryset: QuerySet[Any], user: Any, *, path: str = "pk") -> QuerySet[Any]:
    """`queryset` without the rows whose proposal (at `path`) the user is recused from: every list
    that names proposals (the agency lists, the Commerce queue, "Action required") applies the
    recusal rule here. Excluded by key, read with the user's seats (one query a request): a NOT
    EXISTS in the list's own query kept its pager COUNT off its narrow index (26 ms instead of 6)."""
    recused = recused_proposal_ids(user)
    return queryset.exclude(**{f"{path}__in": sorted(recused)}) if recused else queryset


def cleared_panel_proposal_ids(user: Any) -> set[int]:
    """The proposals whose panel this user sits on having declared no conflict."""
    return {pk for pk, conflict in _panel_seats(user).items() if conflict is False}


@rules.predicate
def is_recused(user: Any, proposal: Any) -> bool:
    """The conflict-of-interest rule: a panel member who declared a conflict is recused from the
    proposal, whatever their agency (a Commerce reviewer too): no page, no API, no score."""
    return proposal is not None and proposal.pk in recused_proposal_ids(user)


@rules.predicate
def sits_on_panel(user: Any, proposal: Any) -> bool:
    """A panel member who has declared no conflict on this proposal."""
    return proposal is not None and proposal.pk in cleared_panel_proposal_ids(user)


@rules.predicate
def is_evaluator(user: Any) -> bool:
    """Staff of an agency that evaluates: Commerce and the evaluating agencies."""
    return getattr(user, "agency", "") in EVALUATOR_AGENCIES


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


rules.add_perm(
    "proposals.view_proposal",
    is_consortium_user | (((is_agency_reviewer & was_submitted) | sits_on_panel) & ~is_recused),
)
rules.add_perm("proposals.change_proposal", is_consortium_editor & is_editable)
rules.add_perm("proposals.submit_proposal", is_consortium_lead & is_editable)
rules.add_perm("proposals.withdraw_proposal", is_consortium_lead)
# Deleting a draft: the lead; which drafts may go is intake.policy.drafts (never submitted).
rules.add_perm("proposals.delete_proposal", is_consortium_lead)
rules.add_perm("proposals.review_commerce", is_commerce & was_submitted & ~is_recused)
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
# The program's reports on each call (counts, days per stage): program staff only.
rules.add_perm("proposals.view_call_reports", is_program_admin)


# Evaluation: the program officer runs panels; a member opens their panel until they declare a
# conflict, scores once they declared none; a recused member neither opens nor scores the proposal.
@rules.predicate
def seated_undeclared(user: Any, panel: Any) -> bool:
    seats = _panel_seats(user)
    return panel is not None and panel.proposal_id in seats and seats[panel.proposal_id] is None


@rules.predicate
def seated_cleared(user: Any, panel: Any) -> bool:
    return panel is not None and _panel_seats(user).get(panel.proposal_id, None) is False


rules.add_perm("proposals.evaluation_workspace", is_evaluator | is_program_admin)
rules.add_perm("proposals.view_panel", is_program_admin | seated_undeclared | seated_cleared)
rules.add_perm("proposals.declare_conflict", seated_undeclared)
rules.add_perm("proposals.score_panel", seated_cleared)
rules.add_perm("proposals.run_panel", is_program_admin)
