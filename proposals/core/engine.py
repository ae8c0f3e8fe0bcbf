"""What every track's writes share: the audit trail and follow-up work sent once the change commits."""

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.module_loading import import_string

from exportai.celery import app
from proposals.core.models.audit import AuditEvent

if TYPE_CHECKING:  # the audit trail is per proposal; the engine only passes it through
    from proposals.intake.models.proposal import Proposal


def enqueue_on_commit(task_name: str, *more_task_names: str, **kwargs: Any) -> None:
    """Send the task(s) named by dotted path, with the same keyword arguments, once the surrounding
    transaction has committed (one broker connection for all of them)."""

    def send() -> None:
        with app.producer_or_acquire() as producer:
            for name in (task_name, *more_task_names):
                import_string(name).apply_async(kwargs=kwargs, producer=producer)

    # robust: the change is already committed when this runs, so a broker that is down must not turn
    # it into an error for the user; Django logs the failure and the sweeper re-enqueues the work.
    transaction.on_commit(send, robust=True)


def audit_record(
    *,
    proposal: "Proposal",
    action: str,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    subject: str = "proposal",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction that makes the change it records."""
    return AuditEvent.objects.create(
        proposal=proposal,
        subject=subject,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        revision=proposal.revision_number,
        data=data or {},
    )
