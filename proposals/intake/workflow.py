"""The proposal lifecycle as data: which transitions exist, who may take them, what they trigger.

The proposal track (`proposals.intake.services.transitions`) moves proposals through it with the one
engine, `proposals.core.engine.apply`, as every other track does with its own table.
"""

from dataclasses import dataclass

from proposals.core.enums import NotificationEvent as N
from proposals.core.enums import ProposalStatus as S
from proposals.core.workflow import Actor, Transition, table, transition


def _t(
    action: str,
    sources: set[str],
    target: str,
    actors: set[str],
    *,
    label: str,
    reason_required: bool = False,
    **kw: object,
) -> Transition:
    return transition(action, sources, target, actors, label, reason_required=reason_required, **kw)


PROPOSAL_TRANSITIONS: dict[str, Transition] = table(
    _t(
        "submit",
        {S.DRAFT, S.RETURNED},
        S.SUBMITTED,
        {Actor.LEAD},
        then=(
            "proposals.intake.tasks.intake_check_proposal",
            "proposals.documents.tasks.document_render_dossier",
        ),
        notify=N.SUBMITTED,
        label="Submit",
    ),
    _t(
        "accept_for_review",
        {S.SUBMITTED},
        S.IN_REVIEW,
        {Actor.SYSTEM},
        then=("proposals.commerce.tasks.commerce_start_review", "proposals.exim.tasks.exim_start_review"),
        label="Accept for review",
    ),
    _t(
        "return_incomplete",
        {S.SUBMITTED},
        S.RETURNED,
        {Actor.SYSTEM},
        reason_required=True,
        notify=N.RETURNED,
        label="Return as incomplete",
    ),
    _t(
        "request_information",
        {S.IN_REVIEW},
        S.RETURNED,
        {Actor.COMMERCE, Actor.EXIM},
        reason_required=True,
        notify=N.INFORMATION_REQUESTED,
        label="Request information",
    ),
    # Only through the EXIM deal's final commitment (services.exim.deal_transition), which applies
    # the gate rule and the ceiling first; so no person takes this action on the proposal directly.
    _t(
        "approve",
        {S.IN_REVIEW},
        S.APPROVED,
        {Actor.SYSTEM},
        reason_required=True,
        label="Approve (final commitment)",
    ),
    # The program officer declines through a "not designated" determination (proposals.evaluation).
    _t(
        "decline",
        {S.IN_REVIEW},
        S.DECLINED,
        {Actor.COMMERCE, Actor.EXIM, Actor.PROGRAM},
        reason_required=True,
        then=("proposals.exim.tasks.exim_follow_proposal",),
        label="Decline",
    ),
    _t(
        "withdraw",
        {S.DRAFT, S.SUBMITTED, S.RETURNED, S.IN_REVIEW},
        S.WITHDRAWN,
        {Actor.LEAD},
        reason_required=True,
        then=("proposals.exim.tasks.exim_follow_proposal",),
        label="Withdraw",
    ),
)


# --- The work the system owes ---------------------------------------------------------------------


@dataclass(frozen=True)
class OwedWork:
    """One row of the work a track owes in a state: the rows that owe it, and the task that does it.

    `owing` is the dotted path of a selector `(*, older_than: datetime) -> QuerySet` of the rows that
    have owed the work since before `older_than`, oldest first; their primary keys go to `task` as
    `key`. `proposal_field` names the proposal on those rows (for "is work delayed on this proposal").
    """

    track: str
    state: str
    work: str
    owing: str
    task: str
    key: str = "proposal_id"
    proposal_field: str = "pk"
    # The task also takes `sent_at` and drops a request the work was done after (it is not otherwise
    # a no-op once done: screening runs again when asked).
    stamped: bool = False


# Every automated step, by track and state. A message is only a nudge: it may be lost (a broker
# restarted or down when the answer was "queued", a worker killed), so one sweeper on beat
# (intake.tasks.intake_sweep_owed_work) sends each row's task again for the rows that have owed it
# longer than EXPORTAI_SWEEPER_STALE_AFTER_SECONDS. Each task is idempotent: work already done is not
# done again, so a resent or duplicated message changes nothing.
OWED_WORK: tuple[OwedWork, ...] = (
    OwedWork(
        "intake",
        "submitted",
        "automated intake",
        "proposals.intake.selectors.owed_intake",
        "proposals.intake.tasks.intake_check_proposal",
    ),
    OwedWork(
        "commerce",
        "in review",
        "start of review (its record, questions answered by the resubmission closed)",
        "proposals.commerce.selectors.owed_review_start",
        "proposals.commerce.tasks.commerce_start_review",
    ),
    OwedWork(
        "commerce",
        "submitted, in review or returned",
        "review clock registration",
        "proposals.commerce.selectors.owed_clock_registration",
        "proposals.commerce.tasks.commerce_register_clock",
    ),
    OwedWork(
        "commerce",
        "submitted or in review",
        "screening (this revision, every current name, the newest list, or asked for again)",
        "proposals.commerce.selectors.owed_screening",
        "proposals.commerce.tasks.commerce_screen_proposal",
        stamped=True,
    ),
    OwedWork(
        "commerce",
        "in review",
        "license determination (this revision, the policy in force)",
        "proposals.commerce.selectors.owed_determination",
        "proposals.commerce.tasks.commerce_determine_licenses",
    ),
    OwedWork(
        "commerce",
        "in review",
        "reviewer assignment",
        "proposals.commerce.selectors.owed_assignment",
        "proposals.commerce.tasks.commerce_assign_reviewer",
    ),
    OwedWork(
        "exim",
        "in review",
        "deal opening",
        "proposals.exim.selectors.owed_deal_opening",
        "proposals.exim.tasks.exim_start_review",
    ),
    OwedWork(
        "exim",
        "deal before final commitment",
        "terms of the current revision",
        "proposals.exim.selectors.owed_terms",
        "proposals.exim.tasks.exim_compute_terms",
        key="deal_id",
        proposal_field="proposal_id",
    ),
    OwedWork(
        "exim",
        "proposal withdrawn or declined",
        "deal closed with the proposal",
        "proposals.exim.selectors.owed_deal_follow",
        "proposals.exim.tasks.exim_follow_proposal",
    ),
    OwedWork(
        "intake",
        "bill-of-materials import queued or being read",
        "bill-of-materials import",
        "proposals.intake.selectors.owed_bom_imports",
        "proposals.intake.tasks.intake_import_bom",
        key="job_id",
        proposal_field="proposal_id",
    ),
    OwedWork(
        "documents",
        "submitted, in review or returned",
        "dossier of the current revision",
        "proposals.intake.selectors.owed_dossier",
        "proposals.documents.tasks.document_render_dossier",
    ),
    OwedWork(
        "intake",
        "any",
        "search summary (missing: the proposal was written outside the services)",
        "proposals.search.selectors.owed_search_summary",
        "proposals.search.tasks.intake_refresh_search",
    ),
    OwedWork(
        "documents",
        "a paper asked for (a download) and not yet stored",
        "paper being prepared",
        "proposals.documents.selectors.owed_paper_renders",
        "proposals.documents.tasks.document_render_requested",
        key="render_id",
        proposal_field="proposal_id",
    ),
)
