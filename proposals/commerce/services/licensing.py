"""Writes for licensing: load a policy version, open and close a proposal's license gates under it."""

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from proposals.commerce.models import CommerceReview, LicenseGate, LicensingPolicyVersion, LicensingRule
from proposals.commerce.policy.eccn import normalize_eccn
from proposals.commerce.policy.licensing import LicenseDetermination, Rule, determine_license
from proposals.commerce.services.review import GATE_TRACK
from proposals.commerce.workflow import GATE_TRANSITIONS
from proposals.core.engine import apply, audit_record, enqueue_on_commit
from proposals.core.enums import ProposalStatus
from proposals.core.errors import InvalidInput
from proposals.core.models.reference import Country
from proposals.intake.models.consortium import ConsortiumMember
from proposals.intake.models.proposal import LineItem, Party, Proposal

DEFAULT_POLICY_FILE = Path(settings.BASE_DIR) / "data" / "licensing_policy.json"


def licensing_policy_load(*, path: str | Path, actor: Any = None) -> LicensingPolicyVersion:
    """Load a policy file as a new version (its number must be new) and re-evaluate proposals in review."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        number = int(payload["number"])
        rules = [Rule.from_data(rule) for rule in payload["rules"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"Not a licensing policy file: {exc}.") from exc
    if LicensingPolicyVersion.objects.filter(number__gte=number).exists():
        raise InvalidInput(
            f"Policy version {number} is not newer than the one in force; give the new rules a higher number."
        )
    with transaction.atomic():
        version = LicensingPolicyVersion.objects.create(
            number=number,
            name=str(payload.get("name", f"Version {number}"))[:200],
            effective_date=date.fromisoformat(payload["effective_date"])
            if payload.get("effective_date")
            else None,
            source=str(path)[:500],
            notes=str(payload.get("notes", "")),
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        LicensingRule.objects.bulk_create(
            LicensingRule(
                policy_version=version,
                code=rule.code,
                description=rule.description[:300],
                eccn_patterns=list(rule.eccn_patterns),
                destination_groups=sorted(rule.destination_groups),
                except_groups=sorted(rule.except_groups),
                destination_countries=sorted(rule.destination_countries),
                party_groups=sorted(rule.party_groups),
                party_countries=sorted(rule.party_countries),
                requirement=rule.requirement,
                order=position,
            )
            for position, rule in enumerate(rules)
        )
        # A new rule set applies to work in progress: every proposal in review is determined again.
        for proposal_id in Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).values_list(
            "pk", flat=True
        ):
            enqueue_on_commit("proposals.commerce.tasks.commerce_determine_licenses", proposal_id=proposal_id)
    return version


def licensing_policy_current() -> LicensingPolicyVersion:
    """The version in force; the packaged default (data/licensing_policy.json) if none was ever loaded."""
    version = LicensingPolicyVersion.objects.order_by("-number").first()
    return version if version is not None else licensing_policy_load(path=DEFAULT_POLICY_FILE)


def policy_rules(version: LicensingPolicyVersion) -> list[Rule]:
    return [
        Rule.from_data(
            {
                "code": r.code,
                "description": r.description,
                "eccn_patterns": r.eccn_patterns,
                "requirement": r.requirement,
                "destination_groups": r.destination_groups,
                "except_groups": r.except_groups,
                "destination_countries": r.destination_countries,
                "party_groups": r.party_groups,
                "party_countries": r.party_countries,
            }
        )
        for r in version.rules.order_by("order", "pk")
    ]


def country_groups_map() -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for country, group in Country.groups.through.objects.values_list("country_id", "countrygroup_id"):
        groups[country].add(group)
    return {country: frozenset(codes) for country, codes in groups.items()}


def proposal_party_countries(proposal: Proposal) -> set[str]:
    """Where the parties and the members are headquartered, and where their ultimate parents are.

    A party's location (where the items are delivered) is not read: the rule on parties headquartered
    in, or owned from, D:5 or Macau follows who is behind the party, wherever it takes delivery. A
    party whose headquarters were never given counts as headquartered at its location.
    """
    countries: set[str] = set()
    for hq, located, parent in Party.objects.filter(proposal=proposal).values_list(
        "headquarters_country_id", "country_id", "ultimate_parent_country_id"
    ):
        countries |= {c for c in (hq or located, parent) if c}
    for hq, parent in ConsortiumMember.objects.filter(consortium_id=proposal.consortium_id).values_list(
        "company__principal_place_of_business_id", "company__ultimate_parent_country_id"
    ):
        countries |= {c for c in (hq, parent) if c}
    return countries


def proposal_license_groups(proposal: Proposal) -> dict[tuple[str, str], list[int]]:
    """(ECCN, destination country) -> line item ids. An item without a site goes to every target country."""
    targets = list(proposal.target_countries.values_list("code", flat=True))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, eccn, site_country in LineItem.objects.filter(proposal=proposal).values_list(
        "pk", "eccn", "site__country_id"
    ):
        code = normalize_eccn(eccn)
        if not code:
            continue
        for destination in [site_country] if site_country else targets:
            groups[(code, destination)].append(pk)
    return dict(groups)


def licenses_determine(*, proposal_id: int) -> dict[str, int]:
    """Open a gate per (ECCN, destination) the policy in force requires; close the ones it no longer does.

    Idempotent: once licenses are determined for the proposal's revision under the policy in force, a
    second run (a duplicate message, the sweeper) returns all zeros and records nothing.
    """
    version = licensing_policy_current()
    rules = policy_rules(version)
    country_groups = country_groups_map()
    counts = {"opened": 0, "reopened": 0, "closed": 0, "kept": 0}
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != ProposalStatus.IN_REVIEW:
            return counts
        done = CommerceReview.objects.filter(
            proposal=proposal,
            licenses_determined_at__isnull=False,
            licenses_revision=proposal.revision_number,
            policy_version=version,
        )
        if done.exists():
            return counts
        parties = proposal_party_countries(proposal)
        required: dict[tuple[str, str], tuple[LicenseDetermination, list[int]]] = {}
        groups = proposal_license_groups(proposal)
        for (eccn, destination), item_ids in groups.items():
            decision = determine_license(
                eccn=eccn,
                destination=destination,
                party_countries=sorted(parties),
                rules=rules,
                country_groups=country_groups,
            )
            if decision.required:
                required[(eccn, destination)] = (decision, item_ids)
        gates = {
            (g.eccn, g.destination_id): g
            for g in LicenseGate.objects.select_for_update().filter(proposal=proposal)
        }
        for key, (decision, item_ids) in required.items():
            gate = gates.get(key)
            if gate is None:
                gate = LicenseGate.objects.create(
                    proposal=proposal,
                    eccn=key[0],
                    destination_id=key[1],
                    line_item_ids=item_ids,
                    rule_code=decision.rule_code,
                    rule_description=decision.rule_description[:300],
                    policy_version=version,
                )
                audit_record(
                    proposal=proposal,
                    action="gate_opened",
                    actor=None,
                    to_state=gate.status,
                    reason=f"Policy v{version.number}, rule {decision.rule_code}: {decision.because}.",
                    subject=gate.subject,
                    data={
                        "eccn": key[0],
                        "destination": key[1],
                        "rule": decision.rule_code,
                        "policy": version.number,
                    },
                )
                counts["opened"] += 1
                continue
            gate.line_item_ids = item_ids
            if gate.status in GATE_TRANSITIONS["reopen"].sources:
                gate.rule_code, gate.rule_description = decision.rule_code, decision.rule_description[:300]
                gate.policy_version = version
                apply(
                    GATE_TRACK,
                    row=gate,
                    action="reopen",
                    actor=None,
                    reason=f"Policy v{version.number}, rule {decision.rule_code}: {decision.because}.",
                    also_save=("line_item_ids", "rule_code", "rule_description", "policy_version"),
                )
                counts["reopened"] += 1
            else:
                if gate.status in GATE_TRANSITIONS["close"].sources:
                    # Undecided work follows the rules in force; a decision keeps its version.
                    gate.rule_code, gate.rule_description = (
                        decision.rule_code,
                        decision.rule_description[:300],
                    )
                    gate.policy_version = version
                gate.save(
                    update_fields=[
                        "line_item_ids",
                        "rule_code",
                        "rule_description",
                        "policy_version",
                        "updated_at",
                    ]
                )
                counts["kept"] += 1
        for key, gate in gates.items():
            if key in required or gate.status not in GATE_TRANSITIONS["close"].sources:
                continue
            why = (
                "The item or destination is no longer in the proposal."
                if key not in groups
                else f"Policy v{version.number} no longer requires a license for {key[0]} to {key[1]}."
            )
            gate.policy_version = version
            apply(GATE_TRACK, row=gate, action="close", actor=None, reason=why, also_save=("policy_version",))
            counts["closed"] += 1
        CommerceReview.objects.update_or_create(
            proposal=proposal,
            defaults={
                "licenses_determined_at": timezone.now(),
                "licenses_revision": proposal.revision_number,
                "policy_version": version,
            },
        )
        audit_record(
            proposal=proposal,
            action="licenses_determined",
            actor=None,
            subject="licensing",
            data={"policy": version.number, "revision": proposal.revision_number, **counts},
        )
    return counts


def licenses_owed(*, proposal_ids: list[int]) -> None:
    """Mark these proposals' determination as owed again (something it read changed during review,
    such as who the parties are) and send it once committed; the sweeper resends it if the message is
    lost, and clearance holds until it has run."""
    CommerceReview.objects.filter(proposal_id__in=proposal_ids).update(licenses_revision=None)
    for proposal_id in proposal_ids:
        enqueue_on_commit("proposals.commerce.tasks.commerce_determine_licenses", proposal_id=proposal_id)
