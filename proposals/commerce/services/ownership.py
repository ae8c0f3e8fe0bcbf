"""The affiliates (50%) rule as loaded policy data, and the owned entities a proposal names.

`ownership_policy_load` reads a policy file (data/ownership_policy.json) as a new numbered version;
the highest number is in force (`ownership_policy_current`), as with the licensing policy. Loading a
version screens every proposal in review again, since it may switch the rule on or off.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from proposals.commerce.models import OwnershipPolicyVersion
from proposals.commerce.policy.ownership import AffiliatesRule, Share
from proposals.core.engine import enqueue_on_commit
from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput
from proposals.intake.models.consortium import ConsortiumMember
from proposals.intake.models.proposal import Party, Proposal

DEFAULT_OWNERSHIP_POLICY_FILE = Path(settings.BASE_DIR) / "data" / "ownership_policy.json"


def ownership_policy_load(
    *, path: str | Path, actor: Any = None, rescreen: bool = True
) -> OwnershipPolicyVersion:
    """Load a policy file as a new version (its number must be new); proposals in review are screened
    again under it (unless `rescreen` is False: the packaged default, loaded on first use, changes
    nothing that screening had applied)."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        number = int(payload["number"])
        rule = AffiliatesRule.from_data(payload)
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise InvalidInput(f"Not an ownership policy file: {exc}.") from exc
    if OwnershipPolicyVersion.objects.filter(number__gte=number).exists():
        raise InvalidInput(
            f"Ownership policy version {number} is not newer than the one in force; give it a higher number."
        )
    version = OwnershipPolicyVersion(
        number=number,
        name=str(payload.get("name", f"Version {number}"))[:200],
        threshold_percent=rule.threshold,
        enabled=rule.enabled,
        effective_from=rule.effective_from,
        suspended_from=rule.suspended_from,
        suspended_until=rule.suspended_until,
        source=str(path)[:500],
        notes=str(payload.get("notes", "")),
        loaded_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        version.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Not a valid ownership policy.", extra={"fields": exc.message_dict}) from exc
    with transaction.atomic():
        version.save()
        if not rescreen:
            return version
        for proposal_id in Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).values_list(
            "pk", flat=True
        ):
            enqueue_on_commit("proposals.commerce.tasks.commerce_screen_proposal", proposal_id=proposal_id)
    return version


def ownership_policy_current() -> OwnershipPolicyVersion:
    """The version in force; the packaged default (data/ownership_policy.json) if none was ever loaded."""
    version = OwnershipPolicyVersion.objects.order_by("-number").first()
    if version is None:
        version = ownership_policy_load(path=DEFAULT_OWNERSHIP_POLICY_FILE, rescreen=False)
    return version


def affiliates_rule(version: OwnershipPolicyVersion) -> AffiliatesRule:
    return AffiliatesRule(
        threshold=version.threshold_percent,
        enabled=version.enabled,
        effective_from=version.effective_from,
        suspended_from=version.suspended_from,
        suspended_until=version.suspended_until,
    )


@dataclass(frozen=True)
class OwnedEntity:
    """A member's company or a party that lists owners: what the 50% rule reads."""

    name: str
    label: str
    shares: tuple[Share, ...]
    company_id: int | None = None
    party_id: int | None = None


def proposal_owned_entities(proposal: Proposal) -> list[OwnedEntity]:
    """The proposal's members' companies and parties that list owners, with their shares."""
    entities: list[OwnedEntity] = []
    members = (
        ConsortiumMember.objects.filter(consortium_id=proposal.consortium_id)
        .select_related("company")
        .prefetch_related("company__owners")
        .order_by("pk")
    )
    for member in members:
        company = member.company
        if shares := tuple(Share(o.name, o.percent) for o in company.owners.all()):
            entities.append(
                OwnedEntity(company.legal_name, member.get_role_display(), shares, company_id=company.pk)
            )
    for party in Party.objects.filter(proposal=proposal).prefetch_related("owners").order_by("role", "pk"):
        if shares := tuple(Share(o.name, o.percent) for o in party.owners.all()):
            entities.append(OwnedEntity(party.name, party.get_role_display(), shares, party_id=party.pk))
    return entities
