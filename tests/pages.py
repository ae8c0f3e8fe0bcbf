"""The demo data with its review work done, and every signed-in page of each role in it.

Shared by the words test (tests/core/test_words_pages.py: no page shows a raw code) and the browser
test (tests/e2e/test_pages_fit.py: no page scrolls sideways on a phone, axe finds nothing). The pages
are named here once, from the demo objects, so both walk the same ones.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from proposals.commerce.models import InformationRequest, LicenseGate
from proposals.commerce.services.licensing import licenses_determine
from proposals.commerce.services.review import gate_decide
from proposals.commerce.services.screening import proposal_screen
from proposals.core.enums import ProposalStatus
from proposals.core.services.reference import reference_data_load
from proposals.demo import demo_seed
from proposals.exim.models import Deal
from proposals.intake.models.call import Call
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import Proposal
from proposals.notify.services import message_post
from tests.conftest import DATA

ROLES = ("atlas.lead", "meridian.lead", "commerce", "exim", "admin")


@dataclass(frozen=True)
class Page:
    role: str
    url: str
    label: str


def demo_world() -> dict[str, Any]:
    """The demo seed, then what its workers would have done: names screened and licenses determined
    for the proposals in review, one gate decided, a message and an internal note posted."""
    reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")
    demo_seed()
    commerce = User.objects.get(username="commerce")
    for proposal in Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).order_by("pk"):
        proposal_screen(proposal_id=proposal.pk)
        licenses_determine(proposal_id=proposal.pk)
    uae = Proposal.objects.get(title="UAE Sovereign Health AI Cluster")
    gate = LicenseGate.objects.filter(proposal=uae).order_by("pk").first()
    gate_decide(gate_id=gate.pk, action="approve", actor=commerce, reason="End use verified.")
    message_post(proposal_id=uae.pk, actor=commerce, body="Please send the site security annex.")
    message_post(proposal_id=uae.pk, actor=commerce, body="Gate decided; screening next.", internal=True)
    # The demo returns the Saudi proposal with the engine's move alone; its question as a request too.
    saudi = Proposal.objects.get(title="Saudi Education AI Data Center")
    InformationRequest.objects.create(
        proposal=saudi,
        question="Please confirm the ultimate consignee's ownership.",
        due_date=timezone.localdate() + timedelta(days=30),
        asked_by=commerce,
        asked_revision=saudi.revision_number,
    )
    return {"uae": uae}


def _editor_pages(role: str, proposal: Proposal) -> list[Page]:
    names = [
        "proposal-detail",
        "proposal-consortium",
        "proposal-financing",
        "proposal-sites",
        "proposal-items",
        "proposal-parties",
        "proposal-documents",
        "proposal-submit",
        "proposal-timeline",
        "proposal-progress",
        "proposal-messages",
    ]
    return [Page(role, reverse(n, args=[proposal.pk]), f"{n} of {proposal.title}") for n in names]


def pages_by_role() -> list[Page]:
    """Every page each demo role reaches from its navigation and its proposals (GET, HTML)."""
    uae = Proposal.objects.get(title="UAE Sovereign Health AI Cluster")
    kenya = Proposal.objects.get(title="Kenya Agricultural AI Cloud")
    saudi = Proposal.objects.get(title="Saudi Education AI Data Center")
    atlas = Consortium.objects.get(name="Atlas AI Infrastructure Consortium")
    rfi = InformationRequest.objects.filter(proposal=saudi).order_by("pk").first()
    call = Call.objects.order_by("pk").first()
    rubric = call.rubrics.order_by("version").first()
    pages = [
        Page("atlas.lead", reverse("home"), "dashboard"),
        Page("atlas.lead", reverse("consortium-list"), "consortia"),
        Page("atlas.lead", reverse("consortium-members", args=[atlas.pk]), "members"),
        Page(
            "atlas.lead",
            reverse("consortium-member", args=[atlas.pk, atlas.members.order_by("pk").first().pk]),
            "member edit",
        ),
        Page("atlas.lead", reverse("proposal-create"), "new proposal"),
        Page("atlas.lead", reverse("notification-preferences"), "notification settings"),
        *_editor_pages("atlas.lead", uae),
        *_editor_pages("atlas.lead", kenya),
        Page("atlas.lead", reverse("proposal-items-import", args=[kenya.pk]), "bill-of-materials import"),
        Page("atlas.lead", reverse("proposal-site", args=[kenya.pk, kenya.sites.first().pk]), "site edit"),
        Page(
            "atlas.lead", reverse("proposal-item", args=[kenya.pk, kenya.line_items.first().pk]), "item edit"
        ),
        Page(
            "atlas.lead", reverse("proposal-party", args=[kenya.pk, kenya.parties.first().pk]), "party edit"
        ),
        Page("meridian.lead", reverse("home"), "dashboard"),
        Page("meridian.lead", reverse("proposal-detail", args=[saudi.pk]), "returned proposal"),
        Page("meridian.lead", reverse("proposal-information-request", args=[saudi.pk, rfi.pk]), "answer"),
        Page("commerce", reverse("home"), "dashboard"),
        Page("commerce", reverse("commerce-queue"), "queue"),
        *[
            Page("commerce", reverse("commerce-proposal", args=[p.pk]), f"Commerce page of {p.title}")
            for p in Proposal.objects.exclude(revision_number=0).order_by("pk")
        ],
        Page("commerce", reverse("proposal-notes", args=[uae.pk]), "internal notes"),
        *[p for p in _editor_pages("commerce", uae) if "submit" not in p.label],
        Page("exim", reverse("home"), "dashboard"),
        Page("exim", reverse("exim-pipeline"), "pipeline"),
        Page("exim", reverse("exim-dashboard"), "ceiling dashboard"),
        *[Page("exim", d.get_absolute_url(), f"deal {d.pk}") for d in Deal.objects.order_by("pk")],
        Page("exim", reverse("account-tokens"), "API tokens"),
        Page("admin", reverse("home"), "dashboard"),
        Page("admin", reverse("program-calls"), "calls"),
        Page("admin", reverse("program-call", args=[call.pk]), "call"),
        Page("admin", reverse("program-rubric", args=[call.pk, rubric.version]), "rubric"),
        Page("admin", reverse("evaluation-panels"), "evaluation panels"),
        Page("admin", reverse("exim-pipeline"), "pipeline"),
        Page("admin", reverse("exim-dashboard"), "ceiling dashboard"),
        Page("admin", reverse("register"), "public register"),
    ]
    return pages
