"""Drafts a consortium no longer wants, and new drafts started from an existing proposal.

`proposal_delete` removes a never-submitted draft (policy.drafts decides which); `proposal_copy`
starts a new draft of the actor's consortium from any proposal the actor can see: its own fields,
target countries, sites, line items and parties with their owners. Not copied: documents (attach them
again), revisions, reviews, decisions and messages: the copy is a fresh draft.
"""

import logging
from typing import Any

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from proposals.core.engine import audit_record
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.core.permissions import consortium_roles
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium, Owner
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.intake.policy.calls import call_is_open
from proposals.intake.policy.drafts import draft_deletion_refusal
from proposals.intake.policy.snapshot import ITEM_FIELDS, PARTY_FIELDS, SITE_FIELDS
from proposals.intake.selectors import calls_open_on, proposals_visible_to
from proposals.intake.services.drafting import PROPOSAL_FIELDS, call_window_check

log = logging.getLogger(__name__)


def proposal_deletion_refusal(proposal: Proposal) -> str:
    """Why `proposal` may not be deleted ("" when it may): the rule, with its audit trail counted."""
    return draft_deletion_refusal(
        status=proposal.status,
        revision_number=proposal.revision_number,
        audit_events=AuditEvent.objects.filter(proposal=proposal).count(),
    )


def proposal_delete(*, proposal_id: int, actor: Any) -> str:
    """Delete a never-submitted draft (the consortium's lead only). Returns the deleted title.

    Anything ever submitted is refused with the reason. The deletion is logged in the admin's log
    (the proposal's own audit trail goes with it: a draft with entries there is refused).
    """
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or not actor.has_perm("proposals.view_proposal", proposal):
            raise Proposal.DoesNotExist
        if not actor.has_perm("proposals.delete_proposal", proposal):
            raise PermissionDenied("Only the consortium's lead can delete a draft.")
        refusal = proposal_deletion_refusal(proposal)
        if refusal:
            raise TransitionNotAllowed(refusal)
        title = proposal.title
        LogEntry.objects.create(
            user_id=actor.pk,
            content_type=ContentType.objects.get_for_model(Proposal),
            object_id=str(proposal.pk),
            object_repr=title[:200],
            action_flag=DELETION,
            change_message=f"Draft deleted by its consortium's lead (consortium {proposal.consortium_id}).",
        )
        proposal.delete()
    log.info("draft %s deleted by %s", proposal_id, actor.pk)
    return title


def _copy_rows(source: Proposal, copy: Proposal) -> None:
    sites = {
        site.pk: Site.objects.create(
            proposal=copy, **{_column(Site, f): getattr(site, _column(Site, f)) for f in SITE_FIELDS}
        )
        for site in Site.objects.filter(proposal=source).order_by("pk")
    }
    LineItem.objects.bulk_create(
        LineItem(
            proposal=copy,
            site=sites.get(item.site_id),
            **{_column(LineItem, f): getattr(item, _column(LineItem, f)) for f in ITEM_FIELDS if f != "site"},
        )
        for item in LineItem.objects.filter(proposal=source).order_by("pk")
    )
    for party in Party.objects.filter(proposal=source).prefetch_related("owners").order_by("pk"):
        owners = list(party.owners.all())
        new = Party.objects.create(
            proposal=copy, **{_column(Party, f): getattr(party, _column(Party, f)) for f in PARTY_FIELDS}
        )
        Owner.objects.bulk_create(
            Owner(party=new, name=o.name, country_id=o.country_id, percent=o.percent) for o in owners
        )


def _column(model: type[Any], field: str) -> str:
    """The attribute holding a field's value: the id for a foreign key (no query to copy it)."""
    return model._meta.get_field(field).attname


def _copy_call(source: Proposal, call: Call | None) -> Call:
    """The call the copy answers: the one asked for, else the source's if open, else the newest open."""
    if call is not None:
        call_window_check(call)
        return call
    today = timezone.localdate()
    if source.call_id and call_is_open(source.call, today):
        return source.call
    open_calls = calls_open_on(today)
    if not open_calls:
        message = "No call for proposals is open today, so no new draft can be started."
        raise InvalidInput(message, extra={"fields": {"call": [message]}})
    return open_calls[0]


def proposal_copy(
    *,
    proposal_id: int,
    actor: Any,
    consortium: Consortium | None = None,
    call: Call | None = None,
    title: str = "",
) -> Proposal:
    """A new draft of the actor's consortium, copied from a proposal the actor can see.

    `consortium` is needed only when the actor may start proposals in several. The copy is recorded
    in the source's audit trail (and the new draft's title says where it came from by default).
    """
    source = proposals_visible_to(actor).select_related("call").filter(pk=proposal_id).first()
    if source is None:
        raise Proposal.DoesNotExist
    choices = [
        pk
        for pk in consortium_roles(actor)
        if actor.has_perm("proposals.change_proposal", Proposal(consortium_id=pk))
    ]
    if not choices:
        raise PermissionDenied("Only a consortium's lead and editors can start a proposal.")
    if consortium is None:
        if len(choices) > 1:
            message = "Choose the consortium the copy belongs to."
            raise InvalidInput(message, extra={"fields": {"consortium": [message]}})
        consortium = Consortium.objects.get(pk=choices[0])
    elif consortium.pk not in choices:
        message = "You cannot start proposals in that consortium."
        raise InvalidInput(message, extra={"fields": {"consortium": [message]}})
    answered = _copy_call(source, call)
    title = (title or f"Copy of {source.title}").strip()[:200]
    with transaction.atomic():
        copy = Proposal(consortium=consortium, call=answered, title=title, created_by=actor)
        for name in PROPOSAL_FIELDS:
            if name != "title":
                setattr(copy, name, getattr(source, name))
        copy.save()
        copy.target_countries.set(source.target_countries.values_list("pk", flat=True))
        _copy_rows(source, copy)
        audit_record(
            proposal=source,
            action="copied",
            actor=actor,
            subject="proposal",
            data={"copy": copy.pk, "consortium": consortium.pk},
        )
    return copy
