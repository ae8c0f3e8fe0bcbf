"""The completeness engine on a 500-item proposal: reading it (snapshot) and checking it (evaluate)."""

from decimal import Decimal
from typing import Any

from bench.harness import RESULTS, best_of, ms

GOAL_SECONDS = 0.050
TITLE = "Bench 500-item proposal"
LAYERS = ["chips", "servers", "storage", "cloud", "networking", "application"]


def _big_proposal(users: dict[str, Any]) -> Any:
    """One proposal with 500 line items in the bench lead's consortium (created once, then reused)."""
    from proposals.intake.models.consortium import ConsortiumUser
    from proposals.intake.models.proposal import LineItem, Party, Proposal, Site

    found = Proposal.objects.filter(title=TITLE).first()
    if found is not None:
        return found
    lead = users["lead"]
    consortium_id = ConsortiumUser.objects.filter(user=lead).values_list("consortium_id", flat=True).first()
    from proposals.intake.services.calls import first_call_seed

    proposal = Proposal.objects.create(
        consortium_id=consortium_id,
        call=first_call_seed(),
        title=TITLE,
        summary="Five hundred line items across six layers and four sites.",
        security_measures="Encrypted weights, US-operated SOC.",
        end_use="Civil AI services.",
        exim_product="direct_loan",
        financing_amount=Decimal("50000000"),
        tenor_years=Decimal("10"),
        created_by=lead,
    )
    proposal.target_countries.set(["AE", "SA"])
    sites = Site.objects.bulk_create(
        Site(
            proposal=proposal,
            name=f"Campus {k}",
            country_id=("AE", "SA")[k % 2],
            city="City",
            builder="Builder",
            owner="Owner",
            operator="Operator",
        )
        for k in range(4)
    )
    LineItem.objects.bulk_create(
        LineItem(
            proposal=proposal,
            layer=LAYERS[k % 6],
            description=f"Item {k}",
            manufacturer="Bench Manufacturing Inc.",
            origin_country_id="US",
            eccn=("3A090.a", "4A090.a", "5A992.c", "EAR99")[k % 4],
            quantity=1 + k % 50,
            unit_value=Decimal(1000 + k),
            us_origin_value=Decimal(800 + k),
            site=sites[k % 4],
        )
        for k in range(500)
    )
    Party.objects.bulk_create(
        Party(proposal=proposal, role=role, name=f"{role} Co.", country_id="AE")
        for role in ("purchaser", "ultimate_consignee", "end_user")
    )
    return proposal


def bench_completeness_500_items(users: dict[str, Any]) -> None:
    from proposals.intake.policy.completeness import evaluate
    from proposals.intake.selectors import completeness_rules, proposal_findings, proposal_snapshot

    proposal = _big_proposal(users)
    assert proposal.line_items.count() == 500
    full, full_best, findings = best_of(lambda: proposal_findings(proposal))
    snapshot = proposal_snapshot(proposal)
    rules = completeness_rules()
    pure, pure_best, _ = best_of(lambda: evaluate(snapshot, rules=rules))
    RESULTS.add(
        "Completeness",
        "500-item proposal: read + evaluate (proposal_findings)",
        f"{ms(full)} (best {ms(full_best)})",
        goal=f"< {ms(GOAL_SECONDS)}",
        met="yes" if full < GOAL_SECONDS else "no",
    )
    RESULTS.add(
        "Completeness",
        f"500-item proposal: evaluate() alone ({len(findings)} findings)",
        f"{ms(pure)} (best {ms(pure_best)})",
        goal=f"< {ms(GOAL_SECONDS)}",
        met="yes" if pure < GOAL_SECONDS else "no",
    )
