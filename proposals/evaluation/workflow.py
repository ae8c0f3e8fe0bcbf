"""The evaluation track as data: a panel per proposal, from forming to the national-interest determination.

    forming --convene--> conflicts --open_scoring--> scoring --close_scoring--> determination
    determination --designate / not_designate / defer--> designated / not_designated / deferred
    deferred --reconsider--> determination

The program officer forms and convenes the panel; each member declares conflicts of interest (a
declared conflict recuses them). Scoring opens by itself once every member has declared (the system),
and closes by itself once every member who is not recused has submitted; the officer may move either
on early, with a reason. Every determination states its reasons. `proposals.evaluation.services`
moves panels through this table with the one engine, `proposals.core.engine.apply`.
"""

from proposals.core.workflow import Actor, Transition, table, transition
from proposals.evaluation.enums import PanelStatus as P

# The panel track's audit subject (AuditEvent.subject), which the reports read back.
AUDIT_SUBJECT = "panel"

# The agencies whose staff may sit on a panel (User.agency values): Commerce and the evaluating agencies.
EVALUATOR_AGENCIES: tuple[str, ...] = ("commerce", "state", "war", "energy", "ostp")

# Determinations the officer may record, and the panel state each leads to.
DETERMINATIONS = {"designate": P.DESIGNATED, "not_designate": P.NOT_DESIGNATED, "defer": P.DEFERRED}

PANEL_TRANSITIONS: dict[str, Transition] = table(
    transition(
        "convene", {P.FORMING}, P.CONFLICTS, {Actor.PROGRAM}, "Convene the panel", reason_required=False
    ),
    transition(
        "open_scoring",
        {P.CONFLICTS},
        P.SCORING,
        {Actor.SYSTEM, Actor.PROGRAM},
        "Open scoring",
        reason_required=False,
    ),
    transition(
        "close_scoring",
        {P.SCORING},
        P.DETERMINATION,
        {Actor.SYSTEM, Actor.PROGRAM},
        "Close scoring",
        reason_required=False,
    ),
    transition("designate", {P.DETERMINATION}, P.DESIGNATED, {Actor.PROGRAM}, "Designate"),
    transition("not_designate", {P.DETERMINATION}, P.NOT_DESIGNATED, {Actor.PROGRAM}, "Do not designate"),
    transition("defer", {P.DETERMINATION}, P.DEFERRED, {Actor.PROGRAM}, "Defer"),
    transition("reconsider", {P.DEFERRED}, P.DETERMINATION, {Actor.PROGRAM}, "Reconsider"),
)
