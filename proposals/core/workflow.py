"""The shape every track's workflow table shares: who acts, and one `Transition` per move.

A track (the proposal, a license gate, a screening hit, an EXIM deal, and the tracks to come) declares
a table of these in its own `workflow` module; `proposals.core.engine.apply` is the one function that
reads a table and writes a state.
"""

from dataclasses import dataclass


class Actor:
    """Who takes a transition. Consortium roles come from membership; agency roles from AGENCIES."""

    LEAD = "lead"  # the anchor's lead for the proposal's consortium
    EDITOR = "editor"
    COMMERCE = "commerce"
    EXIM = "exim"
    PROGRAM = "program"  # the program officer: forms evaluation panels, records determinations
    EVALUATOR = "evaluator"  # staff of an agency that only evaluates (State, War, Energy, OSTP)
    SYSTEM = "system"  # workers and beat


@dataclass(frozen=True)
class Agency:
    """A federal agency whose staff use the portal: a new agency is one row of AGENCIES."""

    code: str  # the value of User.agency
    name: str
    actor: str  # the workflow actor its staff count as


AGENCIES: dict[str, Agency] = {
    agency.code: agency
    for agency in (
        Agency("commerce", "Department of Commerce (BIS)", Actor.COMMERCE),
        Agency("exim", "Export-Import Bank of the United States", Actor.EXIM),
        Agency("program", "Program administration (ITA)", Actor.PROGRAM),
        # Agencies that sit on evaluation panels only: their staff see the proposals of the panels they
        # sit on, nothing else (proposals.evaluation). Commerce's evaluators are Commerce staff.
        Agency("state", "Department of State", Actor.EVALUATOR),
        Agency("war", "Department of War", Actor.EVALUATOR),
        Agency("energy", "Department of Energy", Actor.EVALUATOR),
        Agency("ostp", "Office of Science and Technology Policy", Actor.EVALUATOR),
    )
}


@dataclass(frozen=True)
class Transition:
    """One move of a track: from any of `sources` to `target`, taken by any of `actors`."""

    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str
    reason_required: bool = True
    # A second free-text field the move needs (a license approved with conditions states them).
    conditions_required: bool = False
    # Follow-up tasks enqueued once the change commits, by dotted task name.
    then: tuple[str, ...] = ()
    # The e-mail event the consortium is sent, stored in the same transaction (notify's outbox).
    notify: str = ""
    # EXIM: the approval route (which the amount decides) must lead from the source to this target.
    routed: bool = False
    # EXIM: the proposal's own action taken in the same transaction, by the system.
    proposal_action: str = ""


def transition(
    action: str,
    sources: set[str] | frozenset[str],
    target: str,
    actors: set[str],
    label: str,
    **options: object,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), label, **options)  # type: ignore[arg-type]


def table(*transitions: Transition) -> dict[str, Transition]:
    """A track's workflow table, by action."""
    return {t.action: t for t in transitions}
