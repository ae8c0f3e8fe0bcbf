"""The append-only audit trail: every state change and every recorded reason."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    proposal = models.ForeignKey("Proposal", on_delete=models.PROTECT, related_name="audit_events")
    # What changed: "proposal", or a track object such as "gate:12" or "deal:3".
    subject = models.CharField(max_length=40, default="proposal")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="audit_proposal_time")]

    def __str__(self) -> str:
        return f"{self.subject} {self.action}: {self.from_state} -> {self.to_state}"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else "System"
