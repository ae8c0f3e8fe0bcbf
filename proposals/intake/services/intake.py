"""Automated intake: the server's completeness verdict on the frozen revision decides the next state."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from proposals.core.engine import COMMIT_WITHOUT_WAITING_FOR_DISK_SQL, may_commit_without_waiting_for_disk
from proposals.core.enums import ProposalStatus
from proposals.core.statements import KeyedStatement
from proposals.intake.models.proposal import Revision
from proposals.intake.policy.completeness import blocking, evaluate
from proposals.intake.selectors import completeness_rules
from proposals.intake.services.transitions import proposal_transition_locked

log = logging.getLogger(__name__)


def _latest_revision_locked(*, commit_without_waiting_for_disk: bool) -> KeyedStatement:
    """One query locks the proposal and reads its latest frozen revision.

    A concurrent delivery of the same message waits for the lock, then reads the proposal as the other
    left it (PostgreSQL re-reads the locked row), finds it no longer submitted and does nothing. The
    state is checked on the row read, not in the query: with only the key as a condition PostgreSQL
    reads both tables by their keys, even on tables it has no statistics for yet (a freshly loaded
    table had it walk every submitted proposal through the status index instead). Compiled once a
    process: building and compiling it through the ORM for every proposal cost about a millisecond of
    CPU. The consortium comes with it (not locked) for the returned proposal's e-mail, which names it.
    """

    def build() -> QuerySet[Revision]:
        read = (
            Revision.objects.select_related("proposal__consortium")
            .select_for_update(of=("proposal",))
            .filter(number=F("proposal__revision_number"))
        )
        if commit_without_waiting_for_disk:
            read = read.annotate(commit_without_waiting=RawSQL(COMMIT_WITHOUT_WAITING_FOR_DISK_SQL, ()))
        return read

    return KeyedStatement(build, key="proposal_id", one=True)


_LATEST_REVISION_LOCKED = _latest_revision_locked(commit_without_waiting_for_disk=False)
_LATEST_REVISION_LOCKED_COMMIT_WITHOUT_WAITING = _latest_revision_locked(commit_without_waiting_for_disk=True)


def intake_check(*, proposal_id: int) -> str | None:
    """Return the proposal with its findings, or put it in review. Safe to run twice.

    Returns the action taken, or None when there was nothing to do (already moved on, or gone).
    """
    rules = completeness_rules(max_age=settings.EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS)
    with transaction.atomic():
        # Committed without waiting for the disk, asked for in the read itself: lost in a database
        # crash, the move leaves the proposal submitted, the sweeper sends intake again (OWED_WORK),
        # and the follow-ups it sent find it not in review and do nothing.
        read = (
            _LATEST_REVISION_LOCKED_COMMIT_WITHOUT_WAITING
            if may_commit_without_waiting_for_disk()
            else _LATEST_REVISION_LOCKED
        )
        found = read.instances([proposal_id])
        revision = found[0] if found else None
        if revision is None or revision.proposal.status != ProposalStatus.SUBMITTED:
            log.info("intake for proposal %s: nothing to do", proposal_id)
            return None
        problems = blocking(evaluate(revision.snapshot, rules=rules))
        if problems:
            action = "return_incomplete"
            reason = "Automated intake found items to fix:\n" + "\n".join(
                f"- [{f.code}] {f.message}" for f in problems
            )
            data = {"findings": [f.as_dict() for f in problems]}
        else:
            action, reason, data = "accept_for_review", "Automated intake: complete.", {}
        proposal_transition_locked(
            proposal=revision.proposal, action=action, actor=None, reason=reason, data=data
        )
    return action
