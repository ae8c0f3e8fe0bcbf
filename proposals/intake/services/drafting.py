"""Writes a consortium makes while drafting: the proposal's fields, sites, line items and parties.

Every function checks that the actor may edit and that the proposal is still editable, validates
the whole object (model validation is the last word, whatever the form or serializer said), and
saves nothing when anything is wrong.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from proposals.commerce.policy.eccn import normalize_eccn
from proposals.core.errors import InvalidInput, NotEditable
from proposals.core.models.reference import Country
from proposals.core.permissions import consortium_roles
from proposals.core.services.concurrency import version_claim
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.intake.policy.calls import call_window_refusal
from proposals.intake.policy.snapshot import ITEM_FIELDS, PARTY_FIELDS, SITE_FIELDS
from proposals.intake.services.ownership import owners_clean, owners_replace
from proposals.search.services import search_refresh

PROPOSAL_FIELDS = (
    "title",
    "summary",
    "target_blocs",
    "use_cases",
    "security_measures",
    "end_use",
    "exim_product",
    "financing_amount",
    "local_costs",
    "tenor_years",
    "dfc_support_requested",
    "ustda_support_requested",
    "confidential_sections",
)


def _validated(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput("Please correct the errors below.", extra={"fields": exc.message_dict}) from exc


def locked_editable_proposal(*, proposal_id: int, actor: Any) -> Proposal:
    """Lock the proposal for an edit; refuse if the actor may not edit it or it is frozen."""
    proposal = Proposal.objects.select_for_update().select_related("consortium").get(pk=proposal_id)
    if not actor.has_perm("proposals.view_proposal", proposal):
        raise Proposal.DoesNotExist
    if not proposal.is_editable:
        raise NotEditable(
            f"This proposal is {proposal.get_status_display().lower()} and can no longer be edited."
        )
    if not actor.has_perm("proposals.change_proposal", proposal):
        raise PermissionDenied("Your consortium role does not allow editing.")
    return proposal


def _touch(proposal: Proposal) -> None:
    proposal.save(update_fields=["updated_at"])


def call_window_check(call: Call, *, today: datetime.date | None = None) -> None:
    """Refuse (a field error on `call` naming its dates) unless the call accepts proposals today."""
    refusal = call_window_refusal(call, today or timezone.localdate())
    if refusal:
        raise InvalidInput(refusal, extra={"fields": {"call": [refusal]}})


def proposal_create(
    *, consortium: Consortium, actor: Any, title: str, call: Call | None, **fields: Any
) -> Proposal:
    """Start a draft answering `call`, which must accept proposals today."""
    if consortium.pk not in consortium_roles(actor) or not actor.has_perm(
        "proposals.change_proposal", Proposal(consortium=consortium)
    ):
        raise PermissionDenied("Only the consortium's lead and editors can start a proposal.")
    if call is None:
        raise InvalidInput(
            "Choose the call for proposals this proposal answers.",
            extra={"fields": {"call": ["Choose the call for proposals this proposal answers."]}},
        )
    call_window_check(call)
    targets = fields.pop("target_countries", None)
    proposal = Proposal(consortium=consortium, call=call, title=title, created_by=actor)
    for name, value in fields.items():
        if name in PROPOSAL_FIELDS:
            setattr(proposal, name, value)
    _validated(proposal)
    with transaction.atomic():
        proposal.save()
        if targets is not None:
            proposal.target_countries.set(targets)
        search_refresh(proposal_ids=[proposal.pk])
    return proposal


def proposal_update(
    *, proposal_id: int, actor: Any, data: dict[str, Any], expected_version: int | None = None
) -> Proposal:
    """Change any of the proposal's own fields (and target countries); partial updates are fine.

    `expected_version` is the proposal's version the edit started from: a stale one is refused
    (StaleVersion, nothing saved); None skips the check (core.services.concurrency).
    """
    unknown = set(data) - set(PROPOSAL_FIELDS) - {"target_countries"}
    if unknown:
        raise InvalidInput(
            "Unknown fields.", extra={"fields": {name: ["Not a proposal field."] for name in unknown}}
        )
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        version_claim(proposal, expected=expected_version, data=data)
        for name, value in data.items():
            if name != "target_countries":
                setattr(proposal, name, value)
        _validated(proposal)
        proposal.save()
        if "target_countries" in data:
            codes = [c.pk if isinstance(c, Country) else c for c in data["target_countries"]]
            found = set(Country.objects.filter(pk__in=codes).values_list("pk", flat=True))
            if missing := sorted(set(codes) - found):
                raise InvalidInput(
                    "Unknown country.",
                    extra={"fields": {"target_countries": [f"Unknown: {', '.join(missing)}"]}},
                )
            proposal.target_countries.set(codes)
        if {"title", "target_countries"} & set(data):
            search_refresh(proposal_ids=[proposal.pk])
    return proposal


def _check_site(proposal: Proposal, site: Site | None) -> None:
    if site is not None and site.proposal_id != proposal.pk:
        raise InvalidInput(
            "Unknown site.", extra={"fields": {"site": ["Choose one of this proposal's sites."]}}
        )


def _save_child(proposal: Proposal, instance: models.Model) -> models.Model:
    _validated(instance, exclude=["proposal"])
    instance.save()
    _touch(proposal)
    # Every child holds something the search summary reads (a site's country, an item's ECCN, a name).
    search_refresh(proposal_ids=[proposal.pk])
    return instance


def _apply(instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = {name for name in data if name.removesuffix("_id") not in allowed}
    if unknown:
        raise InvalidInput(
            "Unknown fields.", extra={"fields": {name: ["Unknown field."] for name in unknown}}
        )
    for name, value in data.items():
        setattr(instance, name, value)


CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "site": (Site, SITE_FIELDS),
    "item": (LineItem, ITEM_FIELDS),
    "party": (Party, PARTY_FIELDS),
}


def child_save(
    *,
    proposal_id: int,
    actor: Any,
    kind: str,
    data: dict[str, Any],
    pk: int | None = None,
    expected_version: int | None = None,
) -> Any:
    """Create (pk=None) or update a site, line item or party of an editable proposal.

    An update from a stale `expected_version` of the child is refused (core.services.concurrency).
    """
    model, allowed = CHILDREN[kind]
    data = dict(data)
    # A party's owners (a list of {name, country, percent}) replace its list when given.
    owners = data.pop("owners", None) if kind == "party" else None
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        if pk is None:
            instance = model(proposal=proposal)
        else:
            instance = model.objects.select_for_update().get(pk=pk, proposal=proposal)
            version_claim(instance, expected=expected_version, data=data)
        _apply(instance, data, allowed)
        if kind == "item":
            instance.eccn = normalize_eccn(instance.eccn)
            _check_site(proposal, instance.site)
        if kind == "party" and instance.headquarters_country_id is None:
            # Headquartered where it is located unless the consortium says otherwise.
            instance.headquarters_country_id = instance.country_id
        if owners is None:
            return _save_child(proposal, instance)
        # Every field error at once: the party's own and its owners'.
        errors: dict[str, Any] = {}
        try:
            owners = owners_clean(owners)
        except InvalidInput as exc:
            errors.update(exc.extra["fields"])
        try:
            _validated(instance, exclude=["proposal"])
        except InvalidInput as exc:
            errors = {**exc.extra["fields"], **errors}
        if errors:
            raise InvalidInput("Please correct the errors below.", extra={"fields": errors})
        saved = _save_child(proposal, instance)
        owners_replace(owned=saved, owners=owners)
        return saved


def child_delete(
    *, proposal_id: int, actor: Any, kind: str, pk: int, expected_version: int | None = None
) -> None:
    """Remove a site, line item or party; refused if it changed since `expected_version`."""
    model, _ = CHILDREN[kind]
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        instance = model.objects.select_for_update().get(pk=pk, proposal=proposal)
        version_claim(instance, expected=expected_version)
        instance.delete()
        _touch(proposal)
        search_refresh(proposal_ids=[proposal.pk])


def line_items_replace_from_import(*, proposal_id: int, actor: Any, rows: list[dict[str, Any]]) -> int:
    """Add many validated line items in one transaction (the bill-of-materials import)."""
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
        items = [LineItem(proposal=proposal, **row) for row in rows]
        for item in items:
            item.eccn = normalize_eccn(item.eccn)
            _check_site(proposal, item.site)
        LineItem.objects.bulk_create(items)
        _touch(proposal)
        search_refresh(proposal_ids=[proposal.pk])
    return len(items)
