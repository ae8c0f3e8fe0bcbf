"""The Commerce track's transition tables as data: license gates and screening hits.

Same shape as `proposals.intake.workflow`: `services.commerce.gate_decide` and `hit_adjudicate` are the only
functions that read these tables and write a gate's or a hit's status.
"""

from proposals.core.enums import GateStatus as G
from proposals.core.enums import HitStatus as H
from proposals.core.workflow import Actor, Transition, table
from proposals.core.workflow import transition as _t

GATE_TRANSITIONS: dict[str, Transition] = table(
    _t("approve", {G.OPEN}, G.APPROVED, {Actor.COMMERCE}, "Approve"),
    _t(
        "approve_with_conditions",
        {G.OPEN},
        G.APPROVED_WITH_CONDITIONS,
        {Actor.COMMERCE},
        "Approve with conditions",
        conditions_required=True,
    ),
    _t("deny", {G.OPEN}, G.DENIED, {Actor.COMMERCE}, "Deny"),
    _t(
        "return_without_action",
        {G.OPEN},
        G.RETURNED_WITHOUT_ACTION,
        {Actor.COMMERCE},
        "Return without action",
    ),
    # Policy re-evaluation (workers): a gate the rules no longer require closes; one they require again
    # reopens. Approvals stay: a license granted remains granted.
    _t(
        "close",
        {G.OPEN, G.DENIED, G.RETURNED_WITHOUT_ACTION},
        G.NOT_REQUIRED,
        {Actor.SYSTEM},
        "Close (no longer required)",
    ),
    _t("reopen", {G.NOT_REQUIRED}, G.OPEN, {Actor.SYSTEM}, "Reopen (required again)"),
)

# Actions a reviewer takes from the workspace (the forms and the API offer these).
GATE_DECISIONS = ("approve", "approve_with_conditions", "deny", "return_without_action")

HIT_TRANSITIONS: dict[str, Transition] = table(
    _t("false_positive", {H.UNRESOLVED}, H.FALSE_POSITIVE, {Actor.COMMERCE}, "False positive"),
    _t("confirm", {H.UNRESOLVED}, H.CONFIRMED, {Actor.COMMERCE}, "Confirmed match"),
    _t("reopen", {H.FALSE_POSITIVE, H.CONFIRMED}, H.UNRESOLVED, {Actor.COMMERCE}, "Reopen"),
    # Re-screening after a resubmission: the name has left the proposal.
    _t("remove", {H.UNRESOLVED, H.CONFIRMED, H.FALSE_POSITIVE}, H.REMOVED, {Actor.SYSTEM}, "Remove"),
    _t("restore", {H.REMOVED}, H.UNRESOLVED, {Actor.SYSTEM}, "Name back on the proposal"),
)

HIT_DECISIONS = ("false_positive", "confirm")
# What a reviewer may do to a hit through the API: decide it, or reopen a decision.
HIT_ACTIONS = ("false_positive", "confirm", "reopen")
