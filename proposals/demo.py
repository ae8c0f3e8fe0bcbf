"""Demo data for `make run`: two consortia, realistic proposals in several states, and staff logins.

Everything is written through the same services the web and API use, so the demo proposals carry
real revisions and audit trails. Idempotent: running it again leaves existing demo data alone.
"""

import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Agency, User
from accounts.services import totp_device_install
from proposals.commerce.services.screening import screening_list_current, screening_list_load
from proposals.core.enums import (
    ConsortiumUserRole,
    DocumentCategory,
    EximProduct,
    Layer,
    MemberRole,
    PartyRole,
)
from proposals.documents.services.uploads import document_add
from proposals.evaluation.services import panel_form, panel_transition
from proposals.exim.services import deal_compute_terms, deal_open, deal_transition
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember, ConsortiumUser
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.calls import first_call_seed
from proposals.intake.services.drafting import child_save, proposal_create, proposal_update
from proposals.intake.services.intake import intake_check
from proposals.intake.services.transitions import proposal_transition

DEMO_PASSWORD = "exportai-demo-2026"

STAFF = [
    ("commerce", "Casey", "Reviewer", Agency.COMMERCE, "Bureau of Industry and Security"),
    ("exim", "Elliot", "Officer", Agency.EXIM, "Export-Import Bank of the United States"),
    ("admin", "Avery", "Administrator", Agency.PROGRAM, "ITA American AI Exports Program"),
    # One evaluator per evaluating agency, so the demo shows a panel from each side.
    ("state", "Sam", "Evaluator", Agency.STATE, "Department of State"),
    ("war", "Wren", "Evaluator", Agency.WAR, "Department of War"),
    ("energy", "Eden", "Evaluator", Agency.ENERGY, "Department of Energy"),
    ("ostp", "Oakley", "Evaluator", Agency.OSTP, "Office of Science and Technology Policy"),
]

CONSORTIA: list[dict[str, Any]] = [
    {
        "name": "Atlas AI Infrastructure Consortium",
        "members": [
            (
                "Atlas Compute Systems Inc.",
                "US",
                "US",
                "",
                None,
                MemberRole.ANCHOR,
                [Layer.SERVERS, Layer.CHIPS],
            ),
            ("Beacon Cloud LLC", "US", "US", "", None, MemberRole.PARTNER, [Layer.CLOUD, Layer.STORAGE]),
            ("Cobalt Networks Corp.", "US", "US", "", None, MemberRole.PARTNER, [Layer.NETWORKING]),
            ("Delphi Models Inc.", "US", "US", "", None, MemberRole.PARTNER, [Layer.APPLICATION]),
        ],
        "users": [
            ("atlas.lead", "Alex", "Lead", ConsortiumUserRole.LEAD),
            ("atlas.editor", "Ana", "Editor", ConsortiumUserRole.EDITOR),
        ],
    },
    {
        "name": "Meridian Sovereign AI Partners",
        "members": [
            ("Meridian Digital Holdings Corp.", "US", "US", "", None, MemberRole.ANCHOR, [Layer.CLOUD]),
            ("Beacon Cloud LLC", "US", "US", "", None, MemberRole.PARTNER, [Layer.STORAGE]),
            (
                "Northstar Silicon Inc.",
                "US",
                "US",
                "",
                None,
                MemberRole.PARTNER,
                [Layer.CHIPS, Layer.SERVERS],
            ),
        ],
        "users": [("meridian.lead", "Morgan", "Lead", ConsortiumUserRole.LEAD)],
    },
]


def _user(username: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.test", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def demo_staff_totp_enrol() -> list[str]:
    """Enrol the staff demo logins with EXPORTAI_DEMO_TOTP_SECRET (docs/security.md); [] if unset."""
    secret = settings.EXPORTAI_DEMO_TOTP_SECRET
    if not secret:
        return []
    usernames = [username for username, *_ in STAFF]
    for user in User.objects.filter(username__in=usernames):
        totp_device_install(user=user, secret_b32=secret)
    return usernames


def _consortium(spec: dict[str, Any]) -> tuple[Consortium, dict[str, User]]:
    consortium, _ = Consortium.objects.get_or_create(name=spec["name"])
    for legal_name, inc, ppb, parent, parent_country, role, layers in spec["members"]:
        company, _ = Company.objects.get_or_create(
            legal_name=legal_name,
            entered_by=consortium,
            defaults={
                "country_of_incorporation_id": inc,
                "principal_place_of_business_id": ppb,
                "ultimate_parent": parent,
                "ultimate_parent_country_id": parent_country,
            },
        )
        ConsortiumMember.objects.get_or_create(
            consortium=consortium, company=company, defaults={"role": role, "layers": list(layers)}
        )
    users = {}
    for username, first, last, role in spec["users"]:
        user = _user(username, first, last, organization=spec["name"])
        ConsortiumUser.objects.get_or_create(consortium=consortium, user=user, defaults={"role": role})
        users[role] = user
    return consortium, users


# (layer, description, manufacturer, eccn, quantity, unit value, US-origin share)
GULF_ITEMS = [
    (
        Layer.CHIPS,
        "Data-center AI accelerator, 141 GB HBM3e",
        "Northstar Silicon Inc.",
        "3A090.a",
        2048,
        "30000",
        "0.90",
    ),
    (
        Layer.SERVERS,
        "8-accelerator AI server, liquid cooled",
        "Atlas Compute Systems Inc.",
        "4A090.a",
        256,
        "250000",
        "0.80",
    ),
    (
        Layer.STORAGE,
        "All-flash parallel storage, 10 PB usable",
        "Beacon Cloud LLC",
        "5A992.c",
        4,
        "1500000",
        "0.70",
    ),
    (
        Layer.NETWORKING,
        "800G InfiniBand-class switch fabric",
        "Cobalt Networks Corp.",
        "5A992.c",
        64,
        "90000",
        "0.75",
    ),
    (
        Layer.CLOUD,
        "Sovereign cloud control plane, 5-year subscription",
        "Beacon Cloud LLC",
        "5D992.c",
        1,
        "12000000",
        "1.00",
    ),
    (
        Layer.APPLICATION,
        "Arabic-English clinical language model and deployment",
        "Delphi Models Inc.",
        "EAR99",
        1,
        "8000000",
        "1.00",
    ),
]


def build_complete_proposal(
    *,
    consortium: Consortium,
    lead: User,
    title: str,
    country: str = "AE",
    city: str = "Abu Dhabi",
    items: list[tuple[Any, ...]] | None = None,
    amount: Decimal | None = None,
    tenor: str = "10",
    product: str = EximProduct.DIRECT_LOAN,
    call: Call | None = None,
) -> Proposal:
    """A proposal that passes every completeness check (used by the demo and by tests); it answers
    `call`, by default the program's first call (rolling, so open on any date from 1 April 2026)."""

    proposal = proposal_create(
        call=call or first_call_seed(),
        consortium=consortium,
        actor=lead,
        title=title,
        summary="A full-stack sovereign AI cluster: accelerators, servers, storage, networking, a managed "
        "cloud and domain models for public health services.",
        use_cases="Healthcare triage and clinical documentation; Arabic-language education services.",
        security_measures="Model weights encrypted at rest with HSM-held keys; US-operated SOC; "
        "KYC for all cloud tenants; physical access controls at tier III.",
        end_use="Civil AI services for the national health ministry and universities; no military end use.",
        target_countries=[country],
    )
    site = child_save(
        proposal_id=proposal.pk,
        actor=lead,
        kind="site",
        data={
            "name": f"{city} AI Campus 1",
            "country_id": country,
            "city": city,
            "builder": "Gulf Build Contracting",
            "owner": "National AI Infrastructure Co.",
            "operator": "Beacon Cloud LLC",
        },
    )
    total = Decimal("0")
    us_total = Decimal("0")
    for layer, description, manufacturer, eccn, qty, unit, us_share in items or GULF_ITEMS:
        unit_value = Decimal(unit)
        us_value = (unit_value * qty * Decimal(us_share)).quantize(Decimal("0.01"))
        total += unit_value * qty
        us_total += us_value
        child_save(
            proposal_id=proposal.pk,
            actor=lead,
            kind="item",
            data={
                "layer": layer,
                "description": description,
                "manufacturer": manufacturer,
                "origin_country_id": "US",
                "eccn": eccn,
                "quantity": qty,
                "unit_value": unit_value,
                "us_origin_value": us_value,
                "site": site,
            },
        )
    for role, name in (
        (PartyRole.PURCHASER, "National AI Infrastructure Co."),
        (PartyRole.ULTIMATE_CONSIGNEE, "National AI Infrastructure Co."),
        (PartyRole.END_USER, "Ministry of Health and Prevention"),
    ):
        child_save(
            proposal_id=proposal.pk,
            actor=lead,
            kind="party",
            data={
                "role": role,
                "name": name,
                "address": f"1 Government Road, {city}",
                "country_id": country,
            },
        )
    financed = amount if amount is not None else min(total * Decimal("0.85"), us_total).quantize(Decimal("1"))

    proposal_update(
        proposal_id=proposal.pk,
        actor=lead,
        data={
            "exim_product": product,
            "financing_amount": financed,
            "tenor_years": Decimal(tenor),
        },
    )
    for category in (DocumentCategory.SECURITY_PLAN, DocumentCategory.FINANCIAL):
        document_add(
            proposal_id=proposal.pk,
            actor=lead,
            category=category,
            upload=ContentFile(_demo_pdf(f"Demonstration {category} document"), name=f"{category}.pdf"),
        )
    proposal.refresh_from_db()
    return proposal


@functools.cache
def _demo_pdf(text: str) -> bytes:
    """A real PDF with the given heading (cached: WeasyPrint takes about a second per render)."""
    from weasyprint import HTML  # noqa: PLC0415 (Pango and cairo load slowly: only when seeding)

    return HTML(string=f"<h1>{text}</h1><p>Demonstration document.</p>").write_pdf()


@transaction.atomic
def demo_seed() -> dict[str, Any]:
    """Create the demo logins, consortia and proposals (once)."""

    for username, first, last, agency, org in STAFF:
        user = _user(username, first, last, agency=agency, organization=org)
        if agency == Agency.PROGRAM and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    if screening_list_current() is None:
        # A fictional list in the official CSV format, so the demo shows hits to adjudicate.
        screening_list_load(source=str(settings.BASE_DIR / "data" / "screening_list_sample.csv"))
    demo_staff_totp_enrol()
    first_call = first_call_seed()
    atlas, atlas_users = _consortium(CONSORTIA[0])
    meridian, meridian_users = _consortium(CONSORTIA[1])
    if Proposal.objects.exists():
        return {"created": False}
    lead = atlas_users[ConsortiumUserRole.LEAD]
    in_review = build_complete_proposal(consortium=atlas, lead=lead, title="UAE Sovereign Health AI Cluster")
    proposal_transition(proposal_id=in_review.pk, action="submit", actor=lead)
    intake_check(proposal_id=in_review.pk)
    build_complete_proposal(
        consortium=atlas,
        lead=lead,
        title="Kenya Agricultural AI Cloud",
        country="KE",
        city="Nairobi",
        items=[(layer, d, m, e, max(1, q // 8), u, s) for layer, d, m, e, q, u, s in GULF_ITEMS],
    )
    m_lead = meridian_users[ConsortiumUserRole.LEAD]
    proposal_create(
        call=first_call,
        consortium=meridian,
        actor=m_lead,
        title="Indonesia National Language Model Platform",
        summary="Sovereign cloud region and Bahasa Indonesia foundation model.",
        target_countries=["ID"],
    )
    submitted = build_complete_proposal(
        consortium=meridian,
        lead=m_lead,
        title="Saudi Education AI Data Center",
        country="SA",
        city="Riyadh",
    )
    proposal_transition(proposal_id=submitted.pk, action="submit", actor=m_lead)
    intake_check(proposal_id=submitted.pk)
    proposal_transition(
        proposal_id=submitted.pk,
        action="request_information",
        actor=User.objects.get(username="commerce"),
        reason="Please confirm the ultimate consignee's ownership and provide the site security plan annex.",
    )
    _exim_demo(in_review, meridian=meridian, m_lead=m_lead)
    # The officer convenes a panel on the proposal in review: each evaluator has a conflict to declare.
    panel = panel_form(proposal_id=in_review.pk, actor=User.objects.get(username="admin"))
    panel_transition(panel_id=panel.pk, action="convene", actor=User.objects.get(username="admin"))
    return {"created": True}


def _exim_demo(in_review: Proposal, *, meridian: Consortium, m_lead: User) -> None:
    """EXIM deals for the workspace: the UAE deal in due diligence, a Qatar deal at credit committee."""

    officer = User.objects.get(username="exim")
    qatar = build_complete_proposal(
        consortium=meridian,
        lead=m_lead,
        title="Qatar Smart Logistics AI Platform",
        country="QA",
        city="Doha",
        items=[(layer, d, m, e, max(1, q // 4), u, s) for layer, d, m, e, q, u, s in GULF_ITEMS],
        tenor="7",
        product=EximProduct.LOAN_GUARANTEE,
    )
    proposal_transition(proposal_id=qatar.pk, action="submit", actor=m_lead)
    intake_check(proposal_id=qatar.pk)
    steps = {
        in_review.pk: [
            ("start_due_diligence", "Application complete; credit and engineering reviews opened.")
        ],
        qatar.pk: [
            ("start_due_diligence", "Application complete."),
            (
                "refer_to_credit_committee",
                "Due diligence satisfactory; content and environmental reviews done.",
            ),
        ],
    }
    for proposal_id, moves in steps.items():
        deal = deal_open(proposal_id=proposal_id)
        if deal is None:
            continue
        deal_compute_terms(deal_id=deal.pk)
        for action, reason in moves:
            deal_transition(deal_id=deal.pk, action=action, actor=officer, reason=reason)
