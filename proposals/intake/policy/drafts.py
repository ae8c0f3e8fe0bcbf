"""Which proposals may be deleted, and which are filed away from the dashboard's default list."""

from proposals.core.enums import ProposalStatus

# Ends a consortium files away: the dashboard hides them unless asked (its "Show" select).
FILED_AWAY_STATUSES = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED})


def draft_deletion_refusal(*, status: str, revision_number: int, audit_events: int) -> str:
    """Why this proposal may not be deleted, or "" when it may.

    Only a draft that was never submitted goes: a submitted one has frozen revisions agencies may have
    read, and anything with entries in the append-only audit trail (it was copied, or messages were
    posted on it) stays on record with them. Either can be withdrawn instead.
    """
    if revision_number > 0 or status != ProposalStatus.DRAFT:
        return (
            "Only a draft that was never submitted can be deleted. This proposal was submitted and stays "
            "on record; withdraw it instead."
        )
    if audit_events:
        return (
            "This draft has entries in its audit trail (it was copied, or messages were posted on it) "
            "and stays on record; withdraw it instead."
        )
    return ""
