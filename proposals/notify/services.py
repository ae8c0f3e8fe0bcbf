"""Email notifications through the outbox: stored in the caller's transaction, sent later by a worker.

`notification_queue` writes one OutboxMessage per recipient inside the transaction that makes the
change (so a rolled-back change sends nothing, and a committed one is never forgotten) and enqueues a
send once that transaction commits. `outbox_send` delivers one message with Django's mail API; a
failure only records the error and pushes `next_attempt_at` back (exponential backoff), and the
beat task `notify_flush_outbox` re-enqueues whatever is due, so a message is never lost.

The other tracks call the `notify_*` functions below from inside their own write path.
"""

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from proposals.core import page_cache
from proposals.core.engine import audit_record, enqueue_on_commit
from proposals.core.enums import NotificationEvent, NotificationFrequency, OutboxStatus
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.permissions import is_agency_reviewer
from proposals.core.statements import KeyedStatement
from proposals.documents.services.uploads import ALLOWED_TYPES, upload_validate
from proposals.intake.models.consortium import ConsortiumUser
from proposals.intake.models.proposal import Proposal
from proposals.notify.models import (
    InboxItem,
    Message,
    MessageAttachment,
    NotificationPreference,
    OutboxMessage,
)
from proposals.notify.selectors import inbox_count_key, may_read_internal_notes

log = logging.getLogger(__name__)

SEND_TASK = "proposals.notify.tasks.notify_send_outbox"


# --- Queueing --------------------------------------------------------------------------------------


def retry_delay(*, attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """Backoff after the `attempts`-th failure: base, 2 x base, 4 x base, ... never above the cap."""
    exponent = min(max(attempts - 1, 0), 32)  # the cap applies long before 2**32
    return timedelta(seconds=min(base_seconds * 2**exponent, max_seconds))


# Read for every notification, in the transaction of the change that sends it (a worker's automated
# intake included): compiled once a process.
_FREQUENCIES = KeyedStatement(
    lambda: NotificationPreference.objects.values_list("user_id", "frequency"), key="user_id"
)


def user_frequency(users: Iterable[Any]) -> dict[int, str]:
    """{user id: frequency} for these users, in one query; users without a preference are absent."""
    return dict(_FREQUENCIES.rows([u.pk for u in users]))


def notification_preference_set(*, user: Any, frequency: str) -> NotificationPreference:
    """Record how the user wants their email (immediate or a daily digest)."""
    if frequency not in NotificationFrequency.values:
        raise InvalidInput(
            "Choose immediate or daily digest.",
            extra={"fields": {"frequency": [f'"{frequency}" is not a valid choice.']}},
        )
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return preference


def notification_frequency_of(user: Any) -> str:
    return user_frequency([user]).get(user.pk, NotificationFrequency.IMMEDIATE)


def subject_line(text: str) -> str:
    """A header-safe subject: line breaks (a CR or LF in a proposal title) and other whitespace runs
    become one space, so the mail library never refuses the message as a header injection."""
    return " ".join(text.split())[:200]


def _render(event: str, context: dict[str, Any]) -> tuple[str, str]:
    """The event's template gives the subject before the first blank line and the body after it."""
    text = render_to_string(f"notify/{event}.txt", context).strip()
    subject, _, body = text.partition("\n\n")
    return subject_line(subject), body.strip() + "\n"


def _inbox_path(proposal: Proposal | None, link: str) -> str:
    """The object an inbox item opens: the caller's link, else the proposal's page."""
    if link or proposal is None:
        return link
    try:
        return proposal.get_absolute_url()
    except NoReverseMatch:
        return ""


def notification_queue(
    *,
    event: str,
    recipients: Iterable[Any],
    context: dict[str, Any],
    proposal: Proposal | None = None,
    dedupe_key: str = "",
    link: str = "",
) -> list[OutboxMessage]:
    """Store one message per recipient with an e-mail address, and one inbox item per active
    recipient (with or without an address), and enqueue the immediate messages on commit.

    The one way an event reaches people: every e-mail has its inbox item, written in the same
    transaction (call this inside the transaction that makes the change). `link` is the path the
    inbox item opens (default: the proposal's page). With a `dedupe_key`, a second call for the same
    recipient and key stores nothing (beat reminders may run more than once).
    """
    active = {u.pk: u for u in recipients if getattr(u, "pk", None) and getattr(u, "is_active", True)}
    if not active:
        return []
    users = {pk: u for pk, u in active.items() if getattr(u, "email", "")}
    subject, body = _render(event, {**context, "proposal": proposal, "site_url": settings.EXPORTAI_SITE_URL})
    frequency = user_frequency(users.values()) if users else {}
    messages = [
        OutboxMessage(
            user=user,
            recipient=user.email,
            event=event,
            proposal=proposal,
            subject=subject,
            body=body,
            status=(
                OutboxStatus.HELD
                if frequency.get(user.pk) == NotificationFrequency.DAILY_DIGEST
                else OutboxStatus.PENDING
            ),
            dedupe_key=dedupe_key,
        )
        for user in users.values()
    ]
    inbox_users = list(active)
    # All or nothing with the caller's change; no savepoint of its own (two round trips), as no
    # caller carries on after a failure here.
    with transaction.atomic(savepoint=False):
        if dedupe_key:
            already = set(
                OutboxMessage.objects.filter(
                    dedupe_key=dedupe_key, recipient__in=[m.recipient for m in messages]
                ).values_list("recipient", flat=True)
            )
            messages = [m for m in messages if m.recipient not in already]
            seen = set(
                InboxItem.objects.filter(dedupe_key=dedupe_key, user_id__in=inbox_users).values_list(
                    "user_id", flat=True
                )
            )
            inbox_users = [pk for pk in inbox_users if pk not in seen]
        # Two users may share an address; the dedupe constraint is per address, so keep one.
        created = (
            OutboxMessage.objects.bulk_create(
                list({m.recipient: m for m in messages}.values()) if dedupe_key else messages
            )
            if messages
            else []
        )
        inbox_add(
            users=[active[pk] for pk in inbox_users],
            event=event,
            proposal=proposal,
            title=subject,
            url=_inbox_path(proposal, link),
            outbox={m.user.pk: m for m in created},
            dedupe_key=dedupe_key,
        )
    for message in created:
        if message.status == OutboxStatus.PENDING:
            enqueue_on_commit(SEND_TASK, message_id=message.pk)
    return created


# --- The inbox -------------------------------------------------------------------------------------


def inbox_count_forget(users: Iterable[Any]) -> None:
    """Drop these users' cached unread counts now and again once the transaction commits: now, so this
    transaction's own reads count afresh; on commit, because a page another request rendered meanwhile
    may have cached the count from before the change. A rolled-back change leaves only a cache miss."""
    keys = [inbox_count_key(u) for u in users]
    if not keys:
        return
    cache.delete_many(keys)

    def forget() -> None:
        cache.delete_many(keys)

    forget.cache_only = True  # type: ignore[attr-defined]  # sends nothing (tests/oncommit.py tells apart)
    transaction.on_commit(forget)
    # The Commerce queue caches whole pages, header included (core.page_cache).
    page_cache.bump(page_cache.COMMERCE_QUEUE)


def inbox_add(
    *,
    users: Sequence[Any],
    event: str,
    title: str,
    proposal: Proposal | None = None,
    url: str = "",
    outbox: dict[int, OutboxMessage] | None = None,
    dedupe_key: str = "",
) -> list[InboxItem]:
    """One unread inbox item per user (one INSERT whatever their number). Called by notification_queue."""
    if not users:
        return []
    outbox = outbox or {}
    items = InboxItem.objects.bulk_create(
        InboxItem(
            user=user,
            event=event,
            proposal=proposal,
            outbox=outbox.get(user.pk),
            title=title[:200],
            url=url[:500],
            dedupe_key=dedupe_key,
        )
        for user in users
    )
    inbox_count_forget(users)
    return items


def inbox_mark_read(*, user: Any, item_id: int, read: bool = True) -> InboxItem:
    """Mark one of the user's items read (or unread again). Marking it as it already is changes nothing."""
    with transaction.atomic():
        item = InboxItem.objects.select_for_update().filter(pk=item_id, user_id=user.pk).first()
        if item is None:
            raise InboxItem.DoesNotExist
        if item.is_read != read:
            item.read_at = timezone.now() if read else None
            item.save(update_fields=["read_at"])
            inbox_count_forget([user])
    return item


def inbox_mark_all_read(*, user: Any) -> int:
    """Mark every unread item of the user read; returns how many changed."""
    with transaction.atomic():
        changed = InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            inbox_count_forget([user])
    return changed


# Read inside every change that tells a consortium (a returned intake included): compiled once a
# process, as building and compiling the queryset cost more than the query.
_CONSORTIUM_USERS = KeyedStatement(
    lambda: ConsortiumUser.objects.select_related("user"),
    key="consortium_id",
    one=True,
    order_by=("user__username",),
)


def consortium_recipients(proposal: Proposal) -> list[Any]:
    """Everyone who acts for the proposal's consortium (lead, editors, viewers)."""
    if proposal.consortium_id is None:
        return []
    return [cu.user for cu in _CONSORTIUM_USERS.instances([proposal.consortium_id])]


def agency_recipients(agency: str) -> list[Any]:
    """Active staff of one agency ("commerce", "exim", "program")."""
    return list(get_user_model().objects.filter(agency=agency, is_active=True).order_by("username"))


def proposal_url(proposal: Proposal) -> str:
    try:
        path = proposal.get_absolute_url()
    except NoReverseMatch:  # the proposal pages belong to the web track; mail still goes out
        path = "/"
    return settings.EXPORTAI_SITE_URL.rstrip("/") + path


def _proposal_context(proposal: Proposal, **extra: Any) -> dict[str, Any]:
    return {"proposal_url": proposal_url(proposal), "consortium": proposal.consortium.name, **extra}


# --- What the workflows call (each inside its own transaction) --------------------------------------


def notify_proposal_event(
    *, event: str, proposal: Proposal, actor: Any = None, reason: str = ""
) -> list[OutboxMessage]:
    """A proposal transition the consortium must hear about (submitted, returned, information requested)."""
    return notification_queue(
        event=event,
        recipients=consortium_recipients(proposal),
        proposal=proposal,
        context=_proposal_context(proposal, actor=actor, reason=reason, revision=proposal.revision_number),
    )


def notify_gate_decided(
    *,
    proposal: Proposal,
    gate_label: str,
    decision: str,
    reason: str,
    conditions: str = "",
    policy_version: str = "",
    recipients: Iterable[Any] | None = None,
    gate_count: int = 1,
) -> list[OutboxMessage]:
    """A Commerce license gate was decided (or `gate_count` gates, one bulk decision, named in
    `gate_label`): the consortium (and EXIM, who waits on it) hear of it, in one e-mail."""
    if recipients is None:
        recipients = [*consortium_recipients(proposal), *agency_recipients("exim")]
    return notification_queue(
        event=NotificationEvent.GATE_DECIDED,
        recipients=recipients,
        proposal=proposal,
        context=_proposal_context(
            proposal,
            gate_label=gate_label,
            gate_count=gate_count,
            decision=decision,
            reason=reason,
            conditions=conditions,
            policy_version=policy_version,
        ),
    )


def notify_deal_stage_changed(
    *,
    proposal: Proposal,
    deal_label: str,
    from_stage: str,
    to_stage: str,
    reason: str = "",
    recipients: Iterable[Any] | None = None,
) -> list[OutboxMessage]:
    """An EXIM deal moved to another stage: the consortium hears of it."""
    return notification_queue(
        event=NotificationEvent.DEAL_STAGE_CHANGED,
        recipients=consortium_recipients(proposal) if recipients is None else recipients,
        proposal=proposal,
        context=_proposal_context(
            proposal, deal_label=deal_label, from_stage=from_stage, to_stage=to_stage, reason=reason
        ),
    )


def notify_deadline(
    *,
    proposal: Proposal,
    what: str,
    due_at: datetime,
    overdue: bool,
    recipients: Iterable[Any],
    key: str,
) -> list[OutboxMessage]:
    """A clock is about to run out (or has): once per recipient, `key` (e.g. "gate:12") and due date.

    Safe to call from a beat task on every tick: the dedupe key makes repeats store nothing.
    """
    event = NotificationEvent.DEADLINE_OVERDUE if overdue else NotificationEvent.DEADLINE_NEAR
    return notification_queue(
        event=event,
        recipients=recipients,
        proposal=proposal,
        context=_proposal_context(proposal, what=what, due_at=due_at),
        dedupe_key=f"{event}:{key}:{due_at.isoformat()}"[:120],
    )


# --- Sending ---------------------------------------------------------------------------------------


def _message_id(message: OutboxMessage) -> str:
    # Stable per outbox row, so a message sent twice (crash between send and commit) is recognisable.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "exportai.localhost"
    return f"<outbox.{message.pk}@{domain}>"


def outbox_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one pending message if it is due. Returns "sent", "retry" or "skipped". Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: another worker is sending this very message right now.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        email = EmailMessage(
            subject=subject_line(message.subject),  # messages stored before subjects were cleaned
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": _message_id(message)},
        )
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # any backend failure (refused, timeout, rejected): keep and retry
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = now + retry_delay(
                attempts=message.attempts,
                base_seconds=settings.EXPORTAI_OUTBOX_RETRY_BASE_SECONDS,
                max_seconds=settings.EXPORTAI_OUTBOX_RETRY_MAX_SECONDS,
            )
            message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            log.warning(
                "outbox message %s failed (attempt %s), retry at %s: %s",
                message.pk,
                message.attempts,
                message.next_attempt_at.isoformat(),
                message.last_error,
            )
            return "retry"
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.save(update_fields=["attempts", "status", "sent_at"])
    return "sent"


def outbox_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of pending messages whose time has come (new ones whose nudge was lost, and retries)."""
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def digest_build(*, now: datetime | None = None) -> list[OutboxMessage]:
    """Bundle each user's held messages into one digest message (pending, sent by the outbox)."""
    now = now or timezone.now()
    digests: list[OutboxMessage] = []
    with transaction.atomic():
        held = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=OutboxStatus.HELD)
            .select_related("user")
            .order_by("recipient", "created_at", "pk")
        )
        by_recipient: dict[str, list[OutboxMessage]] = {}
        for message in held:
            by_recipient.setdefault(message.recipient, []).append(message)
        for recipient, items in by_recipient.items():
            subject, body = _render(
                NotificationEvent.DIGEST,
                {"items": items, "date": timezone.localdate(now), "site_url": settings.EXPORTAI_SITE_URL},
            )
            digest = OutboxMessage.objects.create(
                user=items[0].user,
                recipient=recipient,
                event=NotificationEvent.DIGEST,
                subject=subject,
                body=body,
                next_attempt_at=now,
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in items]).update(
                status=OutboxStatus.DIGESTED, digest=digest
            )
            enqueue_on_commit(SEND_TASK, message_id=digest.pk)
            digests.append(digest)
    return digests


# --- Messages on a proposal: the shared thread and agency staff's internal notes ----------------------

# "@username" in a message's text mentions that user (not inside an e-mail address: "a@b.org").
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w)")
MAX_MESSAGE_ATTACHMENTS = 10


def message_mentions(text: str) -> list[str]:
    """The usernames a text mentions, in order, once each."""
    return list(dict.fromkeys(MENTION.findall(text)))


def _message_path(message: Message) -> str:
    name = "proposal-notes" if message.internal else "proposal-messages"
    return reverse(name, kwargs={"pk": message.proposal_id})


def _message_url(message: Message) -> str:
    return settings.EXPORTAI_SITE_URL.rstrip("/") + _message_path(message)


def message_post(
    *, proposal_id: int, actor: Any, body: str, internal: bool = False, attachments: Sequence[File] = ()
) -> Message:
    """Post to a proposal's thread (or, for agency staff, an internal note), with validated files.

    Whoever is @mentioned must be able to read what they are pointed at (an internal note: agency
    staff only), else nothing is posted. The other side of the thread hears of a shared message; each
    mentioned user hears of the mention. Audited under its own subject, which consortium timelines omit.
    """
    proposal = Proposal.objects.select_related("consortium").get(pk=proposal_id)
    if not actor.has_perm("proposals.view_proposal", proposal):
        raise TransitionNotAllowed("You cannot post on this proposal.")
    if internal and not may_read_internal_notes(actor):
        raise TransitionNotAllowed("Internal notes are for agency staff.")
    fields: dict[str, list[str]] = {}
    text = body.strip()
    if not text:
        fields["body"] = ["Write a message."]
    elif len(text) > 4000:
        fields["body"] = ["Keep a message under 4,000 characters."]
    if len(attachments) > MAX_MESSAGE_ATTACHMENTS:
        fields["attachments"] = [f"Attach at most {MAX_MESSAGE_ATTACHMENTS} files."]
    names = message_mentions(text)
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
    mentioned = []
    for name in names:
        user = users.get(name)
        if user is None:
            continue  # not a user: plain text
        readable = user.has_perm("proposals.view_proposal", proposal) and (
            not internal or may_read_internal_notes(user)
        )
        if not readable:
            fields.setdefault("body", []).append(
                f"@{name} cannot read this {'note' if internal else 'thread'}."
            )
        else:
            mentioned.append(user)
    validated = []
    for upload in attachments:
        try:
            validated.append(upload_validate(upload))
        except InvalidInput as exc:
            message = exc.extra.get("fields", {}).get("file", [exc.message])[0]
            fields.setdefault("attachments", []).append(f"{upload.name}: {message}")
    if fields:
        raise InvalidInput("Please correct the errors.", extra={"fields": fields})
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = Message.objects.create(proposal=proposal, author=actor, internal=internal, body=text)
            message.mentioned.set(mentioned)
            for name, extension, content in validated:
                attachment = MessageAttachment(
                    message=message,
                    original_name=name,
                    extension=extension,
                    content_type=ALLOWED_TYPES[extension],
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                )
                attachment.file.save(f"upload.{extension}", ContentFile(content), save=False)
                stored.append(attachment.file.name)
                attachment.save()
            audit_record(
                proposal=proposal,
                action="note_posted" if internal else "message_posted",
                actor=actor,
                subject=f"{'note' if internal else 'message'}:{message.pk}",
                data={"mentioned": [u.get_username() for u in mentioned], "attachments": len(validated)},
            )
            _message_notify(message, actor, mentioned)
    except Exception:
        for name in stored:  # nothing of a refused post stays behind
            default_storage.delete(name)
        raise
    return message


def _message_notify(message: Message, actor: Any, mentioned: list[Any]) -> None:
    context = {
        "author": actor.get_full_name() or actor.get_username(),
        "body": message.body,
        "internal": message.internal,
        "thread_url": _message_url(message),
    }
    if mentioned:
        notification_queue(
            event=NotificationEvent.MENTIONED,
            recipients=[u for u in mentioned if u.pk != actor.pk],
            proposal=message.proposal,
            context=context,
            link=_message_path(message),
        )
    if message.internal:
        return
    # The other side of the shared thread: staff hear the consortium (the assigned Commerce reviewer),
    # the consortium hears staff. A mentioned user already has their own e-mail.
    if is_agency_reviewer(actor):
        others = consortium_recipients(message.proposal)
    else:
        review = getattr(message.proposal, "commerce_review", None)
        others = [review.reviewer] if review is not None and review.reviewer_id else []
    skip = {actor.pk, *(u.pk for u in mentioned)}
    notification_queue(
        event=NotificationEvent.MESSAGE,
        recipients=[u for u in others if u.pk not in skip],
        proposal=message.proposal,
        context=context,
        link=_message_path(message),
    )
