"""Reads for messages: a proposal's shared thread, and its internal notes for agency staff only."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from proposals.core.permissions import is_agency_reviewer
from proposals.intake.models.proposal import Proposal
from proposals.intake.selectors import access_proposal
from proposals.notify.models import Message, MessageAttachment


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
