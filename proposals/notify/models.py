"""The email outbox: a message is stored in the transaction that causes it, then sent by a worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from proposals.core.enums import NotificationEvent, NotificationFrequency, OutboxStatus
from proposals.core.models.text import multiline_text
from proposals.core.policy.text import NOTE_MAX_CHARS


class OutboxMessage(models.Model):
    """One email to one recipient. Never deleted by the send path: a failure only reschedules it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient = models.EmailField()
    event = models.CharField(max_length=32, choices=NotificationEvent.choices)
    proposal = models.ForeignKey(
        "Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox_messages"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A held message points at the digest message that carried it.
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested_messages"
    )
    # Callers that may fire twice (beat reminders) pass a key; one message per recipient and key.
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outbox_dedupe_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject} ({self.status})"


class NotificationPreference(models.Model):
    """How a user wants their email; a user without a row gets the default (immediate)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    frequency = models.CharField(
        max_length=16, choices=NotificationFrequency.choices, default=NotificationFrequency.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"


class Message(models.Model):
    """One message on a proposal: the thread the consortium and agency staff share, or (`internal`)
    a note only agency staff read. Never edited or deleted: the conversation is part of the record."""

    proposal = models.ForeignKey("Proposal", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    internal = models.BooleanField(default=False)
    body = multiline_text(NOTE_MAX_CHARS)
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "internal", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{'Note' if self.internal else 'Message'} {self.pk} on {self.proposal_id}"


def message_attachment_upload_to(instance: "MessageAttachment", filename: str) -> str:
    # The stored name never comes from the user: only the checksum and a safe extension.
    return f"messages/{instance.message.proposal_id}/{instance.sha256[:32]}.{instance.extension}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=message_attachment_upload_to)
    original_name = models.CharField(max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return self.original_name


class InboxItem(models.Model):
    """One notification in a user's in-app inbox: written beside the e-mail (in notify's one enqueue
    function, `notification_queue`), so every event that e-mails also lands here. `url` is the path of
    the object it is about; `read_at` is empty until the user marks it read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    event = models.CharField(max_length=32, choices=NotificationEvent.choices)
    proposal = models.ForeignKey(
        "Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="inbox_items"
    )
    # The e-mail this item mirrors (none for a user without an address).
    outbox = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbox_items"
    )
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # As on the outbox: a reminder that fires twice lands once per user and key.
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox page, newest first, one user's rows only.
            models.Index(fields=["user", "-created_at", "-id"], name="inbox_recent"),
            # The header's unread count: an index-only COUNT over the user's unread rows.
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="inbox_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="inbox_dedupe_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}{'' if self.read_at else ' (unread)'}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
