"""The EXIM deal's stages as data: which moves exist, who may take them, what else they do.

The deal track (`proposals.exim.services`) moves deals through it with `proposals.core.engine.apply`.
Approval moves (board, congressional notification, final commitment) are `routed`: the amount decides
which of them applies (`policy.financing.next_approval_stage`), so the table stays a plain table.
"""

from proposals.core.enums import DealStage as D
from proposals.core.workflow import Actor, Transition, table
from proposals.core.workflow import transition as _t

PRE_COMMITMENT = frozenset(
    {
        D.LETTER_OF_INTEREST,
        D.APPLICATION_RECEIVED,
        D.DUE_DILIGENCE,
        D.PRELIMINARY_COMMITMENT,
        D.CREDIT_COMMITTEE,
        D.BOARD,
        D.CONGRESSIONAL_NOTIFICATION,
    }
)


OFFICER = {Actor.EXIM}

DEAL_TRANSITIONS: dict[str, Transition] = table(
    _t(
        "receive_application",
        {D.LETTER_OF_INTEREST},
        D.APPLICATION_RECEIVED,
        OFFICER,
        "Receive application",
    ),
    _t("start_due_diligence", {D.APPLICATION_RECEIVED}, D.DUE_DILIGENCE, OFFICER, "Start due diligence"),
    _t(
        "issue_preliminary_commitment",
        {D.DUE_DILIGENCE},
        D.PRELIMINARY_COMMITMENT,
        OFFICER,
        "Issue preliminary commitment",
    ),
    _t(
        "refer_to_credit_committee",
        {D.DUE_DILIGENCE, D.PRELIMINARY_COMMITMENT},
        D.CREDIT_COMMITTEE,
        OFFICER,
        "Refer to credit committee",
    ),
    _t("refer_to_board", {D.CREDIT_COMMITTEE}, D.BOARD, OFFICER, "Refer to the board", routed=True),
    _t(
        "notify_congress",
        {D.CREDIT_COMMITTEE, D.BOARD},
        D.CONGRESSIONAL_NOTIFICATION,
        OFFICER,
        "Notify Congress",
        routed=True,
    ),
    _t(
        "authorize",
        {D.CREDIT_COMMITTEE, D.BOARD, D.CONGRESSIONAL_NOTIFICATION},
        D.FINAL_COMMITMENT,
        {Actor.EXIM, Actor.SYSTEM},
        "Authorize (final commitment)",
        routed=True,
        proposal_action="approve",
    ),
    _t(
        "start_documentation",
        {D.FINAL_COMMITMENT},
        D.DOCUMENTATION_CLOSING,
        OFFICER,
        "Start documentation and closing",
    ),
    _t("start_disbursing", {D.DOCUMENTATION_CLOSING}, D.DISBURSING, OFFICER, "Close and start disbursing"),
    _t("start_repayment", {D.DISBURSING}, D.REPAYMENT, OFFICER, "Start repayment"),
    _t(
        "decline",
        PRE_COMMITMENT,
        D.DECLINED,
        {Actor.EXIM, Actor.SYSTEM},
        "Decline",
        proposal_action="decline",
    ),
    _t("withdraw", PRE_COMMITMENT, D.WITHDRAWN, {Actor.EXIM, Actor.SYSTEM}, "Record withdrawal"),
    _t("cancel", {D.FINAL_COMMITMENT, D.DOCUMENTATION_CLOSING}, D.CANCELLED, OFFICER, "Cancel"),
)
