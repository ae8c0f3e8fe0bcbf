"""Reads for notify: a user's inbox and its unread count, a proposal's shared thread, and its internal
notes for agency staff only."""

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from proposals.core.permissions import is_agency_reviewer
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.notify.models import InboxItem, Message, MessageAttachment


def may_read_internal_notes(user: Any) -> bool:
    """Internal notes are agency staff's alone: never a consortium user, whatever else they hold."""
    return is_agency_reviewer(user)


def access_thread(user: Any, pk: Any, *, internal: bool) -> Proposal:
    """The proposal whose thread (or internal notes) the user asks for: a 404 for a proposal the user
    may not see, and for internal notes unless the user is agency staff (their existence is not a
    consortium's business)."""
    proposal = access_proposal(user, pk)
    if internal and not may_read_internal_notes(user):
        raise Http404
    return proposal


def messages_of(*, proposal: Proposal, internal: bool) -> QuerySet[Message]:
    """The thread (or the notes), oldest first, with authors, mentions and files (3 queries)."""
    return (
        Message.objects.filter(proposal=proposal, internal=internal)
        .select_related("author")
        .prefetch_related("attachments", "mentioned")
        .order_by("created_at", "pk")
    )


def access_message_attachment(user: Any, pk: Any, attachment_pk: Any) -> MessageAttachment:
    """A message's file, for whoever may read that message (the same 404s as the thread)."""
    attachment = (
        MessageAttachment.objects.select_related("message")
        .filter(pk=attachment_pk, message__proposal_id=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    access_thread(user, pk, internal=attachment.message.internal)
    return attachment


# --- The inbox ------------------------------------------------------------------------------------

# The header shows the count on every signed-in page: cached per user, so a page pays no query for it
# (services.inbox_count_forget drops the entry whenever the user's items change; sign-in fills it).
UNREAD_COUNT_SECONDS = 24 * 3600


def inbox_count_key(user: Any) -> str:
    """The cache key of a user's unread count. The account's creation time is part of it, so a reused
    id (a test database made afresh, a restored backup) never reads another account's count."""
    joined = getattr(user, "date_joined", None)
    return f"inbox-unread:{user.pk}:{int(joined.timestamp()) if joined else 0}"


def inbox_unread_count(user: Any) -> int:
    """How many of the user's inbox items are unread: from the cache, else one COUNT on the partial
    index `inbox_unread` (then cached)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = inbox_count_key(user)
    count = cache.get(key)
    if count is None:
        count = InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, timeout=UNREAD_COUNT_SECONDS)
    return count


def inbox_items_for(user: Any, *, unread: bool | None = None) -> QuerySet[InboxItem]:
    """The user's own inbox, newest first (`unread`: True for unread only, False for read only)."""
    items = InboxItem.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")
    if unread is not None:
        items = items.filter(read_at__isnull=unread)
    return items


def access_inbox_item(user: Any, pk: Any) -> InboxItem:
    """One of the user's own items; anyone else's is a 404 (an id reveals nothing)."""
    item = inbox_items_for(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item
